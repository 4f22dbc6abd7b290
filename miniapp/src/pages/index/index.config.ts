// usePullDownRefresh fires in WeChat only when the page enables the gesture.
export default definePageConfig({ navigationBarTitleText: '城市服务', enablePullDownRefresh: true });
