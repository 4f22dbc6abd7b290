import { ApiOutlined, AuditOutlined, EnvironmentOutlined, LogoutOutlined, ReconciliationOutlined } from '@ant-design/icons';
import { Button, Layout, Menu, Spin, Typography } from 'antd';
import { lazy, Suspense, useEffect } from 'react';
import { session } from './api';
import { navigate, useRoute } from './router';

// One chunk per page: the sign-in page loads without the editor, the tables without the schema.
const Login = lazy(() => import('./pages/Login'));
const Adapters = lazy(() => import('./pages/Adapters'));
const AdapterDetail = lazy(() => import('./pages/AdapterDetail'));
const Editor = lazy(() => import('./pages/Editor'));
const Coverage = lazy(() => import('./pages/Coverage'));
const Audit = lazy(() => import('./pages/Audit'));
const Reconciliation = lazy(() => import('./pages/Reconciliation'));

const MENU = [
  { key: '/adapters', icon: <ApiOutlined />, label: '适配器' },
  { key: '/coverage', icon: <EnvironmentOutlined />, label: '覆盖' },
  { key: '/audit', icon: <AuditOutlined />, label: '审计日志' },
  { key: '/reconciliation', icon: <ReconciliationOutlined />, label: '对账' },
];

function page(route: string) {
  if (route === '/adapters') return <Adapters />;
  if (route === '/adapters/new') return <Editor />;
  const detail = /^\/adapters\/([a-z][a-z0-9-]{2,63})$/.exec(route);
  if (detail) return <AdapterDetail key={detail[1]} id={detail[1]} />;
  if (route === '/coverage') return <Coverage />;
  if (route === '/audit') return <Audit />;
  if (route === '/reconciliation') return <Reconciliation />;
  return <Typography.Paragraph>没有这个页面。</Typography.Paragraph>;
}

/** The console's frame: sign-in when there is no token, else the menu and the page of the route. */
export function Shell() {
  const route = useRoute();
  const signedIn = Boolean(session.token());
  useEffect(() => {
    if (!signedIn && route !== '/login') navigate('/login', { replace: true });
    if (signedIn && route === '/login') navigate('/adapters', { replace: true });
  }, [signedIn, route]);

  const fallback = <Spin style={{ display: 'block', margin: 48 }} />;
  if (!signedIn || route === '/login') {
    return (
      <Suspense fallback={fallback}>
        <Login />
      </Suspense>
    );
  }
  const selected = MENU.find((m) => route === m.key || route.startsWith(`${m.key}/`))?.key ?? '/adapters';
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider width={200} theme="light" style={{ borderRight: '1px solid #f0f0f0' }}>
        <div style={{ padding: '16px 20px', fontWeight: 600, fontSize: 16 }}>cityhub 运营控制台</div>
        <Menu mode="inline" selectedKeys={[selected]} items={MENU} onClick={({ key }) => navigate(key)} style={{ borderInlineEnd: 'none' }} />
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: '#fff', display: 'flex', justifyContent: 'flex-end', alignItems: 'center', borderBottom: '1px solid #f0f0f0', paddingInline: 24 }}>
          <Button
            id="sign-out"
            icon={<LogoutOutlined />}
            onClick={() => {
              session.signOut();
              navigate('/login', { replace: true });
            }}
          >
            退出
          </Button>
        </Layout.Header>
        <Layout.Content style={{ padding: 24 }}>
          <Suspense fallback={fallback}>{page(route)}</Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
