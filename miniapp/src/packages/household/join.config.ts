export default definePageConfig({ navigationBarTitleText: '加入分组' });
