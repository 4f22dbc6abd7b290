import { useCallback, useState } from 'react';
import Taro, { useDidShow } from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import { formatFen, type Account } from '@cityhub/shared';
import { listAccounts, paidThisMonth, renameAccount, unbindAccount } from '../../api/accounts';
import { askForReminder } from '../../api/reminders';
import { errorMessage } from '../../api/request';
import { clearSession } from '../../api/session';
import { Action } from '../../components/action';
import { PageState } from '../../components/page-state';
import './index.scss';

/** My bound accounts (rename, bill reminders, unbind) and signing out. */
export default function MePage() {
  const [accounts, setAccounts] = useState<Account[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ id: string; alias: string } | null>(null);
  // 本月已缴: null until known; a failure leaves it out rather than failing the page.
  const [paid, setPaid] = useState<{ paidFen: number; orders: number } | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    paidThisMonth().then(setPaid, () => setPaid(null));
    try {
      setAccounts((await listAccounts()).accounts);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setLoading(false);
    }
  }, []);
  useDidShow(() => void load());

  const saveAlias = async () => {
    if (!editing) return;
    try {
      const { account } = await renameAccount(editing.id, editing.alias.trim() || null);
      setAccounts((list) => list.map((x) => (x.id === account.id ? account : x)));
      setEditing(null);
    } catch (err) {
      void Taro.showToast({ title: errorMessage(err), icon: 'none' });
    }
  };

  const remind = async (a: Account) => {
    try {
      const account = await askForReminder(a.id);
      if (!account) {
        void Taro.showToast({ title: '未开启提醒', icon: 'none' });
        return;
      }
      setAccounts((list) => list.map((x) => (x.id === account.id ? account : x)));
      void Taro.showToast({ title: '已开启，账单到期时提醒你', icon: 'none' });
    } catch (err) {
      void Taro.showToast({ title: errorMessage(err), icon: 'none' });
    }
  };

  const unbind = async (a: Account) => {
    const { confirm } = await Taro.showModal({ title: '解除绑定', content: `确定解绑 ${a.serviceName} 账户 ${Object.values(a.fieldsMasked).join(' ')}？` });
    if (!confirm) return;
    try {
      await unbindAccount(a.id);
      setAccounts((list) => list.filter((x) => x.id !== a.id));
    } catch (err) {
      void Taro.showToast({ title: errorMessage(err), icon: 'none' });
    }
  };

  return (
    <View className='me'>
      {paid && (
        <View className='card row' id='me-paid-month'>
          <Text>本月已缴</Text>
          <Text>
            <Text className='amount'>{formatFen(paid.paidFen)}</Text>
            <Text className='muted'>（{paid.orders} 笔）</Text>
          </Text>
        </View>
      )}
      <View className='card row' onClick={() => Taro.navigateTo({ url: '/packages/orders/index' })}>
        <Text>缴费记录</Text>
        <Text className='muted'>›</Text>
      </View>
      <View className='card row' id='me-households' onClick={() => Taro.navigateTo({ url: '/packages/household/index' })}>
        <Text>缴费分组（和家人一起缴费）</Text>
        <Text className='muted'>›</Text>
      </View>
      <PageState
        loading={loading}
        error={error}
        empty={accounts.length === 0 ? '还没有绑定账户，回首页选择服务绑定' : null}
        actions={[
          { id: 'empty-bind', label: '去绑定', onClick: () => void Taro.reLaunch({ url: '/pages/index/index' }) },
          { id: 'empty-switch-city', label: '换城市', onClick: () => void Taro.navigateTo({ url: '/pages/city/index' }) },
        ]}
        onRetry={() => void load()}
      >
        <View className='card'>
          {accounts.map((a) => (
            <View key={a.id} className='row' id={`me-account-${a.id}`}>
              <View>
                <View>
                  {a.serviceName} · {a.alias ?? Object.values(a.fieldsMasked).join(' ')}
                </View>
                <View className='muted'>
                  {a.providerName} · 户主 {a.holderNameMasked}
                </View>
                {a.remindersLeft > 0 && (
                  <View className='muted' id={`me-reminders-${a.id}`}>
                    到期提醒已开启（还可提醒 {a.remindersLeft} 次）
                  </View>
                )}
              </View>
              {editing?.id === a.id ? (
                <View className='me__edit'>
                  <Input className='me__alias' value={editing.alias} maxlength={20} placeholder='备注名，如“家里”' onInput={(e) => setEditing({ id: a.id, alias: e.detail.value })} />
                  <Text className='me__action' onClick={() => void saveAlias()}>
                    保存
                  </Text>
                </View>
              ) : (
                <View className='me__edit'>
                  <Text className='me__action' onClick={() => setEditing({ id: a.id, alias: a.alias ?? '' })}>
                    改名
                  </Text>
                  <Text className='me__action' id={`me-remind-${a.id}`} onClick={() => void remind(a)}>
                    提醒
                  </Text>
                  <Text className='me__unbind' onClick={() => void unbind(a)}>
                    解绑
                  </Text>
                </View>
              )}
            </View>
          ))}
        </View>
      </PageState>
      <Action
        id='sign-out'
        onClick={() => {
          clearSession();
          void Taro.reLaunch({ url: '/pages/index/index' });
        }}
      >
        退出登录
      </Action>
    </View>
  );
}
