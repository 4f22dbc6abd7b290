// The invitation is sent with WeChat's share sheet (onShareAppMessage), which a page must enable.
export default definePageConfig({ navigationBarTitleText: '分组详情', enableShareAppMessage: true });
