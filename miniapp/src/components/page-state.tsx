import type { ReactNode } from 'react';
import { View } from '@tarojs/components';
import { Empty, Loading } from '@nutui/nutui-react-taro';
import '@nutui/nutui-react-taro/dist/es/packages/empty/style/css';
import '@nutui/nutui-react-taro/dist/es/packages/loading/style/css';
import './page-state.scss';

/** What a page shows while loading, when it failed, or when there is nothing: one look everywhere. */
export function PageState({ loading, error, empty, onRetry, children }: { loading?: boolean; error?: string | null; empty?: string | null; onRetry?: () => void; children?: ReactNode }) {
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
      <View id='page-empty'>
        <Empty description={empty} />
      </View>
    );
  return <>{children}</>;
}
