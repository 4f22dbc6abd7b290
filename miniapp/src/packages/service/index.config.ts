export default definePageConfig({ navigationBarTitleText: '缴费账户' });
