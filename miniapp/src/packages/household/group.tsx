import { useCallback, useState } from 'react';
import Taro, { useDidShow, useRouter, useShareAppMessage } from '@tarojs/taro';
import { Button, Input, Text, View } from '@tarojs/components';
import { formatFen, type Account, type CreatedInvite, type HouseholdDetail, type HouseholdOrder } from '@cityhub/shared';
import { listAccounts } from '../../api/accounts';
import {
  addHouseholdAccount,
  createInvite,
  deleteHousehold,
  getHousehold,
  householdOrders,
  leaveHousehold,
  removeHouseholdAccount,
  removeMember,
  renameHousehold,
} from '../../api/households';
import { errorMessage } from '../../api/request';
import { Action } from '../../components/action';
import { PageState } from '../../components/page-state';
import { beijingTime } from '../../lib/beijing-time';
import { nameProblem } from './names';
import './index.scss';

const masked = (fields: Record<string, string>) => Object.values(fields).join(' ');

/** The link an h5 resident copies and sends: the same page WeChat's share opens, on this site. */
function h5Link(path: string): string {
  const { origin, pathname } = window.location;
  return `${origin}${pathname}#${path}`;
}

/**
 * One household group: its accounts (tap to see and pay the bills), its
 * people, the latest payments and who made them. The owner adds and takes out
 * accounts, invites, removes members, renames and deletes; a member leaves.
 */
export default function HouseholdPage() {
  const { id = '' } = useRouter().params;
  const [group, setGroup] = useState<HouseholdDetail | null>(null);
  const [orders, setOrders] = useState<HouseholdOrder[]>([]);
  const [mine, setMine] = useState<Account[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [invite, setInvite] = useState<CreatedInvite | null>(null);
  const [renaming, setRenaming] = useState<string | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      const [{ household }, history] = await Promise.all([getHousehold(id), householdOrders(id)]);
      setGroup(household);
      setOrders(history.orders);
      setMine(household.role === 'owner' ? (await listAccounts()).accounts : []);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setLoading(false);
    }
  }, [id]);
  useDidShow(() => void load());

  // WeChat's share sheet: the path carries the invitation token to the invitee's join page.
  useShareAppMessage(() => ({ title: group ? `邀请你加入「${group.name}」缴费分组` : '邀请你加入缴费分组', path: invite?.path ?? '/pages/index/index' }));

  const act = async (work: () => Promise<unknown>, done?: string) => {
    try {
      await work();
      if (done) void Taro.showToast({ title: done, icon: 'none' });
      await load();
    } catch (err) {
      void Taro.showToast({ title: errorMessage(err), icon: 'none', duration: 3000 });
    }
  };

  const confirm = async (title: string, content: string) => (await Taro.showModal({ title, content })).confirm;

  const newInvite = async () => {
    try {
      setInvite(await createInvite(id));
    } catch (err) {
      void Taro.showToast({ title: errorMessage(err), icon: 'none', duration: 3000 });
    }
  };

  const saveName = async () => {
    if (renaming === null) return;
    const wrong = nameProblem(renaming);
    if (wrong) {
      void Taro.showToast({ title: wrong, icon: 'none' });
      return;
    }
    await act(async () => {
      await renameHousehold(id, renaming.trim());
      setRenaming(null);
    });
  };

  const owner = group?.role === 'owner';
  const inGroup = new Set(group?.accounts.map((a) => a.id));
  const addable = mine.filter((a) => !inGroup.has(a.id));

  return (
    <View className='household'>
      <PageState loading={loading} error={error} onRetry={() => void load()}>
        {group && (
          <>
            <View className='card'>
              {renaming === null ? (
                <View className='row'>
                  <View>
                    <View className='household__title' id='household-title'>
                      {group.name}
                    </View>
                    <View className='muted'>
                      {owner ? '我创建的分组' : '我加入的分组'} · {group.members.length}/{group.maxPeople} 人
                    </View>
                  </View>
                  {owner && (
                    <Text className='household__action' id='household-rename' onClick={() => setRenaming(group.name)}>
                      改名
                    </Text>
                  )}
                </View>
              ) : (
                <View className='row'>
                  <View className='household__input' id='household-rename-input'>
                    <Input value={renaming} maxlength={20} placeholder='分组名称' onInput={(e) => setRenaming(e.detail.value)} />
                  </View>
                  <Text className='household__action' id='household-rename-save' onClick={() => void saveName()}>
                    保存
                  </Text>
                </View>
              )}
            </View>

            <View className='card'>
              <View className='household__title'>分组里的户号</View>
              {group.accounts.length === 0 && <View className='muted'>{owner ? '还没有户号，从下方“我的户号”中添加' : '创建者还没有放入户号'}</View>}
              {group.accounts.map((a) => (
                <View key={a.id} className='row' id={`household-account-${a.id}`}>
                  <View onClick={() => void Taro.navigateTo({ url: `/packages/bills/index?accountId=${a.id}` })}>
                    <View>
                      {a.serviceName} · {a.alias ?? masked(a.fieldsMasked)}
                    </View>
                    <View className='muted'>
                      户号 {masked(a.fieldsMasked)} · 户主 {a.holderNameMasked}
                    </View>
                  </View>
                  {owner ? (
                    <Text className='household__danger' id={`household-account-out-${a.id}`} onClick={() => void act(() => removeHouseholdAccount(id, a.id), '已移出分组')}>
                      移出
                    </Text>
                  ) : (
                    <Text className='household__action' onClick={() => void Taro.navigateTo({ url: `/packages/bills/index?accountId=${a.id}` })}>
                      查看账单 ›
                    </Text>
                  )}
                </View>
              ))}
            </View>

            {owner && addable.length > 0 && (
              <View className='card'>
                <View className='household__title'>我的户号</View>
                {addable.map((a) => (
                  <View key={a.id} className='row'>
                    <View>
                      <View>
                        {a.serviceName} · {a.alias ?? masked(a.fieldsMasked)}
                      </View>
                      <View className='muted'>户主 {a.holderNameMasked}</View>
                    </View>
                    <Text className='household__action' id={`household-add-${a.id}`} onClick={() => void act(() => addHouseholdAccount(id, a.id), '已加入分组')}>
                      加入分组
                    </Text>
                  </View>
                ))}
              </View>
            )}

            <View className='card'>
              <View className='household__title'>成员</View>
              {group.members.map((m) => (
                <View key={m.id ?? 'owner'} className='row' id={m.id ? `household-member-${m.id}` : 'household-owner'}>
                  <Text>
                    {m.label}
                    {m.isMe ? '（我）' : ''}
                  </Text>
                  {owner && m.role === 'member' && (
                    <Text
                      className='household__danger'
                      onClick={async () => {
                        const memberId = m.id;
                        if (memberId && (await confirm('移除成员', `移除后 ${m.label} 将立即看不到这个分组的户号和账单。`))) await act(() => removeMember(id, memberId), '已移除');
                      }}
                    >
                      移除
                    </Text>
                  )}
                </View>
              ))}
              {owner && !invite && (
                <Action id='household-invite' type='primary' onClick={() => void newInvite()}>
                  邀请家人
                </Action>
              )}
              {owner && invite && (
                <View id='household-invite-ready'>
                  <View className='muted household__hint'>邀请 24 小时内有效，只能一人使用。对方打开后确认即可加入。</View>
                  {process.env.TARO_ENV === 'weapp' ? (
                    <Button openType='share' type='primary'>
                      发送给微信好友
                    </Button>
                  ) : (
                    <>
                      {/* In an input: the link is for copying, not for reading. */}
                      <View id='household-invite-link'>
                        <Input className='household__link' value={h5Link(invite.path)} disabled />
                      </View>
                      <Action id='household-invite-copy' onClick={() => void Taro.setClipboardData({ data: h5Link(invite.path) })}>
                        复制邀请链接
                      </Action>
                    </>
                  )}
                </View>
              )}
            </View>

            <View className='card'>
              <View className='household__title'>最近缴费</View>
              {orders.length === 0 && <View className='muted'>还没有缴费记录</View>}
              {orders.map((o) => (
                <View key={o.id} className='row' id={`household-order-${o.id}`}>
                  <View>
                    <View>
                      {o.serviceName} · {masked(o.accountMasked)}
                    </View>
                    <View className='muted'>
                      {o.paidBy.label} 发起 · {beijingTime(o.createdAt)} · {o.statusLabel}
                    </View>
                  </View>
                  <Text className='amount'>{formatFen(o.amountFen)}</Text>
                </View>
              ))}
            </View>

            {owner ? (
              <Action
                id='household-delete'
                type='danger'
                onClick={async () => {
                  if (!(await confirm('删除分组', `删除后成员将立即看不到「${group.name}」里的户号，户号仍在你的“我的”中。`))) return;
                  try {
                    await deleteHousehold(id);
                    await Taro.navigateBack();
                  } catch (err) {
                    void Taro.showToast({ title: errorMessage(err), icon: 'none' });
                  }
                }}
              >
                删除分组
              </Action>
            ) : (
              <Action
                id='household-leave'
                type='danger'
                onClick={async () => {
                  if (!(await confirm('退出分组', `退出后将看不到「${group.name}」里的户号和账单。`))) return;
                  try {
                    await leaveHousehold(id);
                    await Taro.navigateBack();
                  } catch (err) {
                    void Taro.showToast({ title: errorMessage(err), icon: 'none' });
                  }
                }}
              >
                退出分组
              </Action>
            )}
          </>
        )}
      </PageState>
    </View>
  );
}
