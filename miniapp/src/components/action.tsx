import type { ReactNode } from 'react';
import { View } from '@tarojs/components';
import { Button } from '@nutui/nutui-react-taro';
import '@nutui/nutui-react-taro/dist/es/packages/button/style/css';
import './action.scss';

/**
 * The one way the mini-program draws a button: NutUI's, full width, inside a
 * view that carries the id browser tests and analytics find it by.
 */
export function Action({ id, onClick, type = 'default', loading, disabled, children }: { id?: string; onClick: () => void; type?: 'primary' | 'default' | 'danger'; loading?: boolean; disabled?: boolean; children: ReactNode }) {
  return (
    <View className='action' id={id} onClick={disabled || loading ? undefined : onClick}>
      <Button type={type} block loading={loading} disabled={disabled}>
        {children}
      </Button>
    </View>
  );
}
