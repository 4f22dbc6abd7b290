export default definePageConfig({ navigationBarTitleText: '加入缴费分组' });
