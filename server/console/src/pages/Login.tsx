import { LockOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { adapterListSchema } from '@cityhub/shared';
import { api, describeError, session } from '../api';
import { navigate } from '../router';

/** 登录: the operator pastes their token; it is checked against the hub and kept for this tab. */
export default function Login() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async ({ token }: { token: string }) => {
    setBusy(true);
    setError(null);
    session.signIn(token.trim());
    try {
      await api(adapterListSchema, 'GET', '/admin/adapters');
      navigate('/adapters', { replace: true });
    } catch (err) {
      session.signOut();
      setError((err as { status?: number }).status === 401 ? '令牌无效，请检查后重试。' : describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', background: '#f5f5f5' }}>
      <Card style={{ width: 440 }}>
        <Typography.Title level={3}>cityhub 运营控制台</Typography.Title>
        <Typography.Paragraph type="secondary">
          粘贴运营令牌登录（配置 <Typography.Text code>OPERATOR_TOKENS</Typography.Text>，或本机的 <Typography.Text code>data/operator-token</Typography.Text>）。令牌只保存在本标签页中。
        </Typography.Paragraph>
        {error && <Alert id="login-error" type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
        <Form layout="vertical" onFinish={submit}>
          <Form.Item name="token" label="运营令牌" rules={[{ required: true, message: '请输入运营令牌' }]}>
            <Input.Password id="login-token" prefix={<LockOutlined />} autoComplete="off" placeholder="运营令牌" />
          </Form.Item>
          <Button id="login-submit" type="primary" htmlType="submit" loading={busy} block>
            登录
          </Button>
        </Form>
      </Card>
    </div>
  );
}
