import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { CATEGORY_LABELS, adapterListSchema, type AdapterSummary } from '@cityhub/shared';
import { App, Button, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, describeError } from '../api';
import { ADAPTER_STATUS, HEALTH_STATUS } from '../labels';
import { navigate } from '../router';
import { SecretButton } from '../SecretDialog';

/** "城市 420100、410300" / "省 41" / "全国": what a manifest covers, in a few words. */
export function coverageSummary(coverage: AdapterSummary['coverage']): string {
  if (!coverage) return '—';
  const parts: string[] = [];
  if (coverage.nationwide) parts.push('全国');
  if (coverage.provinces.length) parts.push(`省 ${coverage.provinces.join('、')}`);
  if (coverage.cities.length) parts.push(`城市 ${coverage.cities.slice(0, 4).join('、')}${coverage.cities.length > 4 ? ` 等 ${coverage.cities.length} 个` : ''}`);
  return parts.join('；') || '—';
}

/** 适配器列表: every adapter with its status, version, coverage and health. */
export default function Adapters() {
  const { message } = App.useApp();
  const [adapters, setAdapters] = useState<AdapterSummary[]>();
  const [loading, setLoading] = useState(false);
  const load = useCallback(async () => {
    setLoading(true);
    try {
      setAdapters((await api(adapterListSchema, 'GET', '/admin/adapters')).adapters);
    } catch (err) {
      message.error(describeError(err));
    } finally {
      setLoading(false);
    }
  }, [message]);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          适配器
        </Typography.Title>
        <Space>
          <SecretButton />
          <Button icon={<ReloadOutlined />} onClick={() => void load()}>
            刷新
          </Button>
          <Button id="new-adapter" type="primary" icon={<PlusOutlined />} onClick={() => navigate('/adapters/new')}>
            新建适配器
          </Button>
        </Space>
      </Space>
      <Table<AdapterSummary>
        id="adapter-table"
        rowKey="id"
        loading={loading}
        dataSource={adapters}
        pagination={false}
        onRow={(a) => ({ onClick: () => navigate(`/adapters/${a.id}`), style: { cursor: 'pointer' }, id: `adapter-${a.id}` })}
        columns={[
          { title: 'ID', dataIndex: 'id', render: (id: string) => <Typography.Link>{id}</Typography.Link> },
          { title: '名称', dataIndex: 'name' },
          { title: '缴费单位', dataIndex: 'providerName' },
          { title: '类别', dataIndex: 'category', render: (c: AdapterSummary['category']) => CATEGORY_LABELS[c] },
          { title: '状态', dataIndex: 'status', render: (s: AdapterSummary['status']) => <Tag color={ADAPTER_STATUS[s].color}>{ADAPTER_STATUS[s].label}</Tag> },
          { title: '当前版本', dataIndex: 'activeVersion', render: (v: string | null, a) => v ?? <Typography.Text type="secondary">未启用（最新 {a.versions[0]?.version ?? '—'}）</Typography.Text> },
          { title: '覆盖', dataIndex: 'coverage', render: (c: AdapterSummary['coverage']) => coverageSummary(c) },
          {
            title: '健康',
            dataIndex: 'health',
            render: (h: AdapterSummary['health']) =>
              h ? (
                <Tooltip title={`熔断器 ${h.breaker}；调用 ${h.calls} 次；p95 ${h.latencyMs.p95} ms${h.reason ? `；${h.reason}` : ''}`}>
                  <Tag color={HEALTH_STATUS[h.status].color}>{HEALTH_STATUS[h.status].label}</Tag>
                  <Typography.Text type="secondary">错误率 {(h.errorRate * 100).toFixed(1)}%</Typography.Text>
                </Tooltip>
              ) : (
                <Typography.Text type="secondary">—</Typography.Text>
              ),
          },
        ]}
      />
    </>
  );
}
