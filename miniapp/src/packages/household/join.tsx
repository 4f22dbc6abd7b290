import { useCallback, useState } from 'react';
import Taro, { useDidShow, useRouter } from '@tarojs/taro';
import { Input, View } from '@tarojs/components';
import type { InvitePreview } from '@cityhub/shared';
import { acceptInvite, previewInvite } from '../../api/households';
import { ApiError, errorMessage } from '../../api/request';
import { Action } from '../../components/action';
import { PageState } from '../../components/page-state';
import { beijingTime } from '../../lib/beijing-time';
import { displayNameProblem } from './names';
import './index.scss';

/** Why a link no longer works, in the invitee's words. */
function inviteProblem(err: unknown): string {
  if (err instanceof ApiError && err.code === 'HOUSEHOLD_INVITE_INVALID') {
    const reason = (err.details as { reason?: string } | undefined)?.reason;
    if (reason === 'expired') return '邀请已过期，请让对方重新分享邀请';
    if (reason === 'used') return '邀请已被使用，请让对方重新分享邀请';
    return '邀请链接无效，请让对方重新分享邀请';
  }
  return errorMessage(err);
}

/** Where an invitation opens: what the group is, then the invitee confirms (with how others will see them) to join. */
export default function JoinHouseholdPage() {
  const { token = '' } = useRouter().params;
  const [preview, setPreview] = useState<InvitePreview | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [displayName, setDisplayName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [joining, setJoining] = useState(false);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      setPreview(await previewInvite(token));
    } catch (err) {
      setError(inviteProblem(err));
    } finally {
      setLoading(false);
    }
  }, [token]);
  useDidShow(() => void load());

  const join = async () => {
    const wrong = displayNameProblem(displayName);
    setProblem(wrong);
    if (wrong || joining) return;
    setJoining(true);
    try {
      const { household } = await acceptInvite(token, displayName.trim());
      await Taro.redirectTo({ url: `/packages/household/group?id=${household.id}` });
    } catch (err) {
      setProblem(inviteProblem(err));
    } finally {
      setJoining(false);
    }
  };

  return (
    <View className='household'>
      <PageState loading={loading} error={error}>
        {preview && (
          <View className='card' id='household-join'>
            <View className='household__title'>邀请你加入「{preview.householdName}」</View>
            <View className='muted household__hint'>
              目前 {preview.peopleCount} 人 · 邀请有效期至 {beijingTime(preview.expiresAt)}
            </View>
            {preview.alreadyIn ? (
              <>
                <View className='household__hint'>你已在这个分组中。</View>
                <Action id='household-join-open' onClick={() => void Taro.redirectTo({ url: '/packages/household/index' })}>
                  查看我的分组
                </Action>
              </>
            ) : (
              <>
                <View className='household__hint'>加入后，你可以查看并代缴这个分组里户号的账单；创建者能看到你代缴的记录。户号只显示部分数字。</View>
                <View className='household__input' id='household-display-name'>
                  <Input value={displayName} maxlength={12} placeholder='你在分组中的称呼，如“妈妈”' onInput={(e) => {
                      setDisplayName(e.detail.value);
                      setProblem(null);
                    }} />
                </View>
                {problem && (
                  <View className='muted household__hint' id='household-join-problem'>
                    {problem}
                  </View>
                )}
                <Action id='household-join-confirm' type='primary' loading={joining} onClick={() => void join()}>
                  确认加入
                </Action>
              </>
            )}
          </View>
        )}
      </PageState>
    </View>
  );
}
