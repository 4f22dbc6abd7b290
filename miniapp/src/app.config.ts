export default defineAppConfig({
  // The main package holds only what a resident sees first: home and the city picker.
  pages: ['pages/index/index', 'pages/city/index'],
  subPackages: [
    {
      root: 'packages',
      pages: ['service/index', 'bills/index', 'cashier/index', 'result/index', 'orders/index', 'order/index', 'me/index', 'household/index', 'household/group', 'household/join'],
    },
  ],
  window: {
    backgroundTextStyle: 'light',
    // White bar, black title: WeChat's own look, and white on its #07c160 green fails WCAG AA contrast.
    navigationBarBackgroundColor: '#ffffff',
    navigationBarTitleText: '城市服务',
    navigationBarTextStyle: 'black',
    backgroundColor: '#f5f6f7',
    // 'default' also draws Taro's navigation bar in h5 (title and back), which is hidden unless asked for.
    navigationStyle: 'default',
  },
  // 定位 on the city picker: WeChat requires the API declared and the reason shown in its permission prompt.
  requiredPrivateInfos: ['getLocation'],
  permission: { 'scope.userLocation': { desc: '用于定位您所在的城市，展示本市可缴费的服务' } },
});
