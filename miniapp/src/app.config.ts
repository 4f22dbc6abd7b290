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
    navigationBarBackgroundColor: '#07c160',
    navigationBarTitleText: '城市服务',
    navigationBarTextStyle: 'white',
    backgroundColor: '#f5f6f7',
  },
});
