import { useCallback, useState } from 'react';
import Taro, { useDidShow, useRouter } from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import type { Account, ServiceSummary } from '@cityhub/shared';
import { bindAccount, listAccounts } from '../../api/accounts';
import { getCityServices } from '../../api/cities';
import { errorMessage } from '../../api/request';
import { Action } from '../../components/action';
import { PageState } from '../../components/page-state';
import { fieldErrors } from './field-errors';
import './index.scss';

/** My accounts for one service of one city, and the bind form built from the adapter's fields. */
export default function ServicePage() {
  const { serviceId = '', cityCode = '' } = useRouter().params;
  const [service, setService] = useState<ServiceSummary | null>(null);
  const [accounts, setAccounts] = useState<Account[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [binding, setBinding] = useState(false);
  const [bound, setBound] = useState<Account | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      const [city, mine] = await Promise.all([getCityServices(cityCode), listAccounts()]);
      const found = city.serviceGroups.flatMap((g) => g.services).find((s) => s.serviceId === serviceId) ?? null;
      if (!found) throw new Error('本市暂不支持该服务');
      setService(found);
      Taro.setNavigationBarTitle({ title: `${found.name} · ${found.providerName}` });
      setAccounts(mine.accounts.filter((a) => a.serviceId === serviceId && a.cityCode === cityCode));
    } catch (err) {
      setError(err instanceof Error && !('code' in err) ? err.message : errorMessage(err));
    } finally {
      setLoading(false);
    }
  }, [serviceId, cityCode]);

  useDidShow(() => void load());

  const submit = async () => {
    if (!service || binding) return;
    const problems = fieldErrors(service.accountFields, values);
    setErrors(problems);
    if (Object.keys(problems).length) return;
    setBinding(true);
    try {
      const fields = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.trim()]).filter(([, v]) => v !== ''));
      const { account } = await bindAccount({ serviceId, cityCode, fields });
      setBound(account);
      setAccounts((list) => [account, ...list]);
      setValues({});
    } catch (err) {
      Taro.showToast({ title: errorMessage(err), icon: 'none', duration: 3000 });
    } finally {
      setBinding(false);
    }
  };

  const openBills = (account: Account) => Taro.navigateTo({ url: `/packages/bills/index?accountId=${account.id}` });

  return (
    <View className='service'>
      <PageState loading={loading} error={error} onRetry={() => void load()}>
        {bound && (
          <View className='card service__bound' id='bind-confirmation'>
            <Text>已绑定：{bound.holderNameMasked}</Text>
            <Text className='muted'>{bound.addressHint ?? ''}</Text>
          </View>
        )}
        {accounts.length > 0 && (
          <View className='card'>
            <View className='service__title'>我的账户</View>
            {accounts.map((a) => (
              <View key={a.id} className='row service__account' id={`account-${a.id}`} onClick={() => openBills(a)}>
                <View>
                  <View>{a.alias ?? Object.values(a.fieldsMasked).join(' ')}</View>
                  <View className='muted'>户主 {a.holderNameMasked}</View>
                </View>
                <Text className='service__go'>查账单 ›</Text>
              </View>
            ))}
          </View>
        )}
        {service && (
          <View className='card'>
            <View className='service__title'>绑定新账户</View>
            {service.accountFields.map((f) => (
              <View key={f.name} className='field' id={`field-${f.name}`}>
                <View className='field__label'>
                  {f.label}
                  {f.optional ? '（选填）' : ''}
                </View>
                <Input
                  className='field__input'
                  value={values[f.name] ?? ''}
                  placeholder={f.placeholder ?? `请输入${f.label}`}
                  maxlength={f.maxLength}
                  onInput={(e) => setValues((v) => ({ ...v, [f.name]: e.detail.value }))}
                />
                {errors[f.name] && <View className='field__error'>{errors[f.name]}</View>}
              </View>
            ))}
            <Action id='bind-submit' type='primary' loading={binding} onClick={() => void submit()}>
              {binding ? '正在向服务商核实…' : '绑定并查询'}
            </Action>
          </View>
        )}
      </PageState>
    </View>
  );
}
