import { useCallback, useState } from 'react';
import Taro, { useDidShow } from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import { MAX_HOUSEHOLD_PEOPLE, MAX_OWNED_HOUSEHOLDS, type HouseholdSummary } from '@cityhub/shared';
import { createHousehold, listHouseholds } from '../../api/households';
import { errorMessage } from '../../api/request';
import { Action } from '../../components/action';
import { PageState } from '../../components/page-state';
import { nameProblem } from './names';
import './index.scss';

/** My household groups (缴费分组): the ones I made and the ones I was invited to; make a new one. */
export default function HouseholdsPage() {
  const [groups, setGroups] = useState<HouseholdSummary[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      setGroups((await listHouseholds()).households);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setLoading(false);
    }
  }, []);
  useDidShow(() => void load());

  const create = async () => {
    const wrong = nameProblem(name);
    setProblem(wrong);
    if (wrong || saving) return;
    setSaving(true);
    try {
      const { household } = await createHousehold(name.trim());
      setName('');
      await Taro.navigateTo({ url: `/packages/household/group?id=${household.id}` });
    } catch (err) {
      setProblem(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <View className='household'>
      <View className='card'>
        <View className='household__title'>新建分组</View>
        <View className='row'>
          <View className='household__input' id='household-name'>
            <Input value={name} maxlength={20} placeholder='分组名称，如“我家”“父母家”' onInput={(e) => {
                setName(e.detail.value);
                setProblem(null);
              }} />
          </View>
        </View>
        {problem && (
          <View className='muted household__hint' id='household-problem'>
            {problem}
          </View>
        )}
        <View className='muted household__hint'>
          把户号放进分组，邀请家人加入后，家人也能查看并代缴这些户号的账单。每个分组最多 {MAX_HOUSEHOLD_PEOPLE} 人，每人最多建 {MAX_OWNED_HOUSEHOLDS} 个分组。
        </View>
        <Action id='household-create' type='primary' loading={saving} onClick={() => void create()}>
          创建分组
        </Action>
      </View>
      <PageState loading={loading} error={error} empty={groups.length === 0 ? '还没有缴费分组' : null} onRetry={() => void load()}>
        <View className='card'>
          {groups.map((g) => (
            <View key={g.id} className='row' id={`household-${g.id}`} onClick={() => void Taro.navigateTo({ url: `/packages/household/group?id=${g.id}` })}>
              <View>
                <View>{g.name}</View>
                <View className='muted'>
                  {g.role === 'owner' ? '我创建的' : '我加入的'} · {g.peopleCount} 人 · {g.accountCount} 个户号
                </View>
              </View>
              <Text className='muted'>›</Text>
            </View>
          ))}
        </View>
      </PageState>
    </View>
  );
}
