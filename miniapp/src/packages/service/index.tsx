import { useCallback, useState } from 'react';
import Taro, { useDidShow, useRouter } from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import type { Account, AccountPreview, ServiceSummary } from '@cityhub/shared';
import { confirmAccount, listAccounts, previewAccount } from '../../api/accounts';
import { getCityServices } from '../../api/cities';
import { ApiError, errorMessage } from '../../api/request';
import { Action } from '../../components/action';
import { PageState } from '../../components/page-state';
import { saveCurrentCity } from '../../state/current-city';
import { fieldErrors, inputTypeOf } from './field-errors';
import './index.scss';

/** A failure of the form, said in Chinese, with the one thing to do next when there is one. */
interface FormProblem {
  message: string;
  /** The account belongs to another city: offer to switch to it. */
  otherCity?: { code: string; name: string };
  /** Already bound: offer to open it. */
  accountId?: string;
}

function problemOf(err: unknown): FormProblem {
  const problem: FormProblem = { message: errorMessage(err) };
  if (err instanceof ApiError && err.details && typeof err.details === 'object') {
    const d = err.details as { cityCode?: unknown; cityName?: unknown; accountId?: unknown };
    if (err.code === 'ACCOUNT_IN_OTHER_CITY' && typeof d.cityCode === 'string' && typeof d.cityName === 'string') problem.otherCity = { code: d.cityCode, name: d.cityName };
    if (err.code === 'ACCOUNT_ALREADY_BOUND' && typeof d.accountId === 'string') problem.accountId = d.accountId;
  }
  return problem;
}

/** What went wrong, and the button for what to do next (switch city, open the bound account). */
function ProblemCard({ problem, onSwitchCity, onOpen }: { problem: FormProblem; onSwitchCity: (city: { code: string; name: string }) => void; onOpen: (accountId: string) => void }) {
  const { otherCity, accountId } = problem;
  return (
    <View className='card service__problem' id='bind-error'>
      <View>{problem.message}</View>
      {otherCity && (
        <Action id='switch-city' onClick={() => onSwitchCity(otherCity)}>
          切换到{otherCity.name}
        </Action>
      )}
      {accountId && (
        <Action id='open-bound' onClick={() => onOpen(accountId)}>
          查看这个户号的账单
        </Action>
      )}
    </View>
  );
}

/**
 * My accounts for one service of one city, and the form to add one: look the
 * account up first (the provider's masked holder name and district), then
 * 确认绑定 to keep it in 我的, or 仅本次缴费 to pay without saving it.
 */
export default function ServicePage() {
  const { serviceId = '', cityCode = '' } = useRouter().params;
  const [service, setService] = useState<ServiceSummary | null>(null);
  const [accounts, setAccounts] = useState<Account[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<'preview' | 'save' | 'once' | null>(null);
  const [preview, setPreview] = useState<AccountPreview | null>(null);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [bound, setBound] = useState<Account | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      const [city, mine] = await Promise.all([getCityServices(cityCode), listAccounts()]);
      const found = city.serviceGroups.flatMap((g) => g.services).find((s) => s.serviceId === serviceId) ?? null;
      if (!found) throw new Error('本市暂不支持该服务');
      setService(found);
      void Taro.setNavigationBarTitle({ title: `${found.name} · ${found.providerName}` });
      setAccounts(mine.accounts.filter((a) => a.serviceId === serviceId && a.cityCode === cityCode));
    } catch (err) {
      setError(err instanceof Error && !(err instanceof ApiError) ? err.message : errorMessage(err));
    } finally {
      setLoading(false);
    }
  }, [serviceId, cityCode]);

  useDidShow(() => void load());

  const lookUp = async () => {
    if (!service || busy) return;
    const problems = fieldErrors(service.accountFields, values);
    setErrors(problems);
    setProblem(null);
    setBound(null);
    if (Object.keys(problems).length) return;
    setBusy('preview');
    try {
      const fields: Record<string, string> = {};
      for (const [k, v] of Object.entries(values)) if (v.trim() !== '') fields[k] = v.trim();
      setPreview((await previewAccount({ serviceId, cityCode, fields })).preview);
    } catch (err) {
      setProblem(problemOf(err));
    } finally {
      setBusy(null);
    }
  };

  const confirm = async (save: boolean) => {
    if (!preview || busy) return;
    setBusy(save ? 'save' : 'once');
    setProblem(null);
    try {
      const { account } = await confirmAccount({ previewId: preview.previewId, save });
      setPreview(null);
      setValues({});
      if (!save) {
        // Paying once: straight to the bills; the account stays out of 我的.
        await Taro.navigateTo({ url: `/packages/bills/index?accountId=${account.id}` });
        return;
      }
      setBound(account);
      setAccounts((list) => [account, ...list.filter((a) => a.id !== account.id)]);
    } catch (err) {
      // An expired look-up goes back to the form; anything else stays on the preview to retry.
      if (err instanceof ApiError && err.code === 'PREVIEW_EXPIRED') setPreview(null);
      setProblem(problemOf(err));
    } finally {
      setBusy(null);
    }
  };

  const switchCity = async (city: { code: string; name: string }) => {
    try {
      const found = await getCityServices(city.code);
      saveCurrentCity(found.city);
      const offered = found.serviceGroups.flatMap((g) => g.services).some((s) => s.serviceId === serviceId);
      // The same service in the account's city when it is offered there; else that city's home.
      if (offered) await Taro.redirectTo({ url: `/packages/service/index?serviceId=${serviceId}&cityCode=${city.code}` });
      else await Taro.reLaunch({ url: '/pages/index/index' });
    } catch (err) {
      setProblem({ message: errorMessage(err) });
    }
  };

  const openBills = (accountId: string) => Taro.navigateTo({ url: `/packages/bills/index?accountId=${accountId}` });

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
              <View key={a.id} className='row service__account' id={`account-${a.id}`} onClick={() => void openBills(a.id)}>
                <View>
                  <View>{a.alias ?? Object.values(a.fieldsMasked).join(' ')}</View>
                  <View className='muted'>户名 {a.holderNameMasked}</View>
                </View>
                <Text className='service__go'>查账单 ›</Text>
              </View>
            ))}
          </View>
        )}
        {service && preview && (
          <View className='card service__preview' id='bind-preview'>
            <View className='service__title'>请核对户主信息</View>
            {service.accountFields
              .filter((f) => f.name in preview.fieldsMasked)
              .map((f) => (
                <View key={f.name} className='row'>
                  <Text className='muted'>{f.label}</Text>
                  <Text>{preview.fieldsMasked[f.name]}</Text>
                </View>
              ))}
            <View className='row'>
              <Text className='muted'>户名</Text>
              <Text id='preview-holder'>{preview.holderNameMasked}</Text>
            </View>
            {preview.addressHint && (
              <View className='row'>
                <Text className='muted'>地址</Text>
                <Text id='preview-address'>{preview.addressHint}</Text>
              </View>
            )}
            {preview.cityName && (
              <View className='row'>
                <Text className='muted'>城市</Text>
                <Text>{preview.cityName}</Text>
              </View>
            )}
            <View className='muted service__hint'>户名已隐去部分文字，确认是你要缴费的账户后再继续。</View>
            <Action id='bind-confirm' type='primary' loading={busy === 'save'} disabled={busy !== null} onClick={() => void confirm(true)}>
              确认绑定
            </Action>
            <Action id='pay-once' loading={busy === 'once'} disabled={busy !== null} onClick={() => void confirm(false)}>
              仅本次缴费（不保存）
            </Action>
            <View className='service__link' id='bind-edit' onClick={() => setPreview(null)}>
              信息不对？重新填写
            </View>
          </View>
        )}
        {problem && <ProblemCard problem={problem} onSwitchCity={(c) => void switchCity(c)} onOpen={(id) => void openBills(id)} />}
        {service && !preview && (
          <View className='card'>
            <View className='service__title'>添加缴费户号</View>
            {service.accountFields.map((f) => (
              <View key={f.name} className='field' id={`field-${f.name}`}>
                <View className='field__label'>
                  {f.label}
                  {f.optional ? '（选填）' : ''}
                </View>
                <Input
                  className='field__input'
                  type={inputTypeOf(f)}
                  value={values[f.name] ?? ''}
                  placeholder={f.placeholder ?? `请输入${f.label}`}
                  maxlength={f.maxLength}
                  onInput={(e) => setValues((v) => ({ ...v, [f.name]: e.detail.value }))}
                />
                {errors[f.name] && <View className='field__error'>{errors[f.name]}</View>}
              </View>
            ))}
            <Action id='bind-submit' type='primary' loading={busy === 'preview'} onClick={() => void lookUp()}>
              {busy === 'preview' ? '正在向缴费单位查询…' : '查询户主信息'}
            </Action>
          </View>
        )}
      </PageState>
    </View>
  );
}
