import type { ReactNode } from 'react';
import Taro from '@tarojs/taro';
import { Image, View } from '@tarojs/components';
import { Loading } from '@nutui/nutui-react-taro';
import '@nutui/nutui-react-taro/dist/es/packages/loading/style/css';
import emptyImage from '../assets/empty.svg';
import { Action } from './action';
import './page-state.scss';

/** A way out of an empty page: 换户号, 换城市, 去绑定 … */
export interface PageStateAction {
  id: string;
  label: string;
  onClick: () => void;
}

const back = () => void Taro.navigateBack().catch(() => Taro.reLaunch({ url: '/pages/index/index' }));

/**
 * What a page shows while loading, when it failed, or when there is nothing:
 * one look everywhere. An empty page shows a local picture (NutUI's default
 * one is remote, and the page's CSP blocks it), says why, and offers the
 * page's own ways out (`actions`) followed by 返回.
 */
export function PageState({
  loading,
  error,
  empty,
  actions = [],
  onRetry,
  children,
}: {
  loading?: boolean;
  error?: string | null;
  empty?: string | null;
  actions?: PageStateAction[];
  onRetry?: () => void;
  children?: ReactNode;
}) {
  if (loading)
    return (
      <View className='page-state'>
        <Loading>加载中…</Loading>
      </View>
    );
  if (error)
    return (
      <View className='page-state page-state--error' id='page-error' onClick={onRetry}>
        {error}
        {onRetry ? '（点击重试）' : ''}
      </View>
    );
  if (empty)
    return (
      <View className='page-state' id='page-empty'>
        <Image className='page-state__image' src={emptyImage} mode='aspectFit' nativeProps={{ alt: '' }} />
        <View className='page-state__text'>{empty}</View>
        <View className='page-state__actions'>
          {actions.map((a) => (
            <Action key={a.id} id={a.id} type='primary' onClick={a.onClick}>
              {a.label}
            </Action>
          ))}
          <Action id='page-empty-back' onClick={back}>
            返回
          </Action>
        </View>
      </View>
    );
  return <>{children}</>;
}
