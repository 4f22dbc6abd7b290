import { auditPageSchema, type AuditEntry, type AuditQuery } from '@cityhub/shared';
import { App, Button, DatePicker, Input, Select, Space, Table, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { api, describeError } from '../api';
import { AUDIT_OUTCOME, beijingTime } from '../labels';

const PAGE = 50;

interface Filters {
  operator?: string;
  action?: string;
  outcome?: AuditQuery['outcome'];
  range?: [Dayjs | null, Dayjs | null] | null;
}

/** 审计日志: every operator call, newest first, a page at a time, with filters. */
export default function Audit() {
  const { message } = App.useApp();
  const [filters, setFilters] = useState<Filters>({});
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [nextBefore, setNextBefore] = useState<number | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(
    async (before?: number) => {
      setLoading(true);
      const query = new URLSearchParams({ limit: String(PAGE) });
      if (filters.operator) query.set('operator', filters.operator);
      if (filters.action) query.set('action', filters.action);
      if (filters.outcome) query.set('outcome', filters.outcome);
      if (filters.range?.[0]) query.set('from', filters.range[0].toISOString());
      if (filters.range?.[1]) query.set('to', filters.range[1].toISOString());
      if (before) query.set('before', String(before));
      try {
        const page = await api(auditPageSchema, 'GET', `/admin/audit?${query}`);
        setEntries((previous) => (before ? [...previous, ...page.entries] : page.entries));
        setNextBefore(page.nextBefore);
      } catch (err) {
        message.error(describeError(err));
      } finally {
        setLoading(false);
      }
    },
    [filters, message],
  );
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <>
      <Typography.Title level={3}>审计日志</Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search id="audit-operator" placeholder="运营人员" allowClear style={{ width: 160 }} onSearch={(v) => setFilters((f) => ({ ...f, operator: v.trim() || undefined }))} />
        <Input.Search id="audit-action" placeholder="操作（如 activate）" allowClear style={{ width: 220 }} onSearch={(v) => setFilters((f) => ({ ...f, action: v.trim() || undefined }))} />
        <Select
          placeholder="结果"
          allowClear
          style={{ width: 120 }}
          onChange={(v?: AuditQuery['outcome']) => setFilters((f) => ({ ...f, outcome: v }))}
          options={Object.entries(AUDIT_OUTCOME).map(([value, o]) => ({ value, label: o.label }))}
        />
        <DatePicker.RangePicker showTime onChange={(range) => setFilters((f) => ({ ...f, range }))} />
        <Button onClick={() => void load()}>刷新</Button>
      </Space>
      <Table<AuditEntry>
        id="audit-table"
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={entries}
        pagination={false}
        expandable={{
          rowExpandable: (e) => e.details !== null && e.details !== undefined,
          expandedRowRender: (e) => <pre style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{JSON.stringify(e.details, null, 2)}</pre>,
        }}
        columns={[
          { title: '时间', dataIndex: 'at', width: 180, render: beijingTime },
          { title: '运营人员', dataIndex: 'actor', width: 110 },
          { title: '操作', dataIndex: 'action', render: (a: string) => <Typography.Text code>{a}</Typography.Text> },
          { title: '对象', dataIndex: 'target' },
          { title: '结果', dataIndex: 'outcome', width: 90, render: (o: string) => <Tag color={AUDIT_OUTCOME[o]?.color}>{AUDIT_OUTCOME[o]?.label ?? o}</Tag> },
        ]}
      />
      <div style={{ textAlign: 'center', marginTop: 16 }}>
        {nextBefore ? (
          <Button id="audit-more" loading={loading} onClick={() => void load(nextBefore)}>
            加载更早的记录
          </Button>
        ) : (
          entries.length > 0 && <Typography.Text type="secondary">没有更早的记录</Typography.Text>
        )}
      </div>
    </>
  );
}
