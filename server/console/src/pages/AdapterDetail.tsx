import { EditOutlined, ExperimentOutlined, PlayCircleOutlined, RollbackOutlined, StopOutlined, DeleteOutlined } from '@ant-design/icons';
import { CATEGORY_LABELS, adapterDetailSchema, coverageConflictDetailsSchema, noContentSchema, verifyAdapterBodySchema, verifyResultSchema, type AdapterSummary, type ConformanceReportDto, type CoverageConflict } from '@cityhub/shared';
import { Alert, App, Button, Card, Descriptions, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, describeError } from '../api';
import { ADAPTER_STATUS, CHECK_NAMES, CHECK_OUTCOME, HEALTH_STATUS, VERSION_STATUS, beijingTime } from '../labels';
import { navigate } from '../router';
import { coverageSummary } from './Adapters';

const ACCOUNTS_TEMPLATE = `{
  "existing": { "字段名": "存在的测试账户" },
  "missing": { "字段名": "不存在的账户" },
  "payable": { "字段名": "可真实销账一笔的沙箱账户" }
}`;

/** Compares semantic versions numerically ("1.10.0" after "1.9.0"). */
function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

/** One adapter: its versions, and what an operator does with it (verify, activate, replace, disable, roll back, delete). */
export default function AdapterDetail({ id }: { id: string }) {
  const { message, modal } = App.useApp();
  const [adapter, setAdapter] = useState<AdapterSummary>();
  const [error, setError] = useState<string>();
  const [version, setVersion] = useState<string>();
  const accountsKey = `cityhub.console.testAccounts.${id}`;
  const [accounts, setAccounts] = useState(() => sessionStorage.getItem(accountsKey) ?? ACCOUNTS_TEMPLATE);
  const [accountsError, setAccountsError] = useState<string>();
  const [report, setReport] = useState<ConformanceReportDto>();
  const [busy, setBusy] = useState<string>();
  const [conflicts, setConflicts] = useState<{ version: string; list: CoverageConflict[] }>();

  const load = useCallback(async () => {
    try {
      const { adapter } = await api(adapterDetailSchema, 'GET', `/admin/adapters/${id}`);
      setAdapter(adapter);
      setError(undefined);
      setVersion((v) => (v && adapter.versions.some((x) => x.version === v) ? v : adapter.versions[0]?.version));
    } catch (err) {
      setError(describeError(err));
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);

  const run = async (what: string, action: () => Promise<void>) => {
    setBusy(what);
    try {
      await action();
    } catch (err) {
      message.error(describeError(err));
    } finally {
      setBusy(undefined);
    }
  };

  const verify = () => {
    let testAccounts: unknown;
    try {
      testAccounts = JSON.parse(accounts);
    } catch {
      setAccountsError('测试账户不是有效的 JSON');
      return;
    }
    const body = verifyAdapterBodySchema.safeParse({ version, testAccounts });
    if (!body.success) {
      setAccountsError(body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('；'));
      return;
    }
    setAccountsError(undefined);
    void run('verify', async () => {
      const { report } = await api(verifyResultSchema, 'POST', `/admin/adapters/${id}/verify`, body.data);
      setReport(report);
      await load();
    });
  };

  const activate = (target: string, options: { replaces?: string[]; force?: boolean } = {}) =>
    run('activate', async () => {
      try {
        const { adapter } = await api(adapterDetailSchema, 'POST', `/admin/adapters/${id}/activate`, { version: target, ...options });
        setAdapter(adapter);
        setConflicts(undefined);
        message.success(`${id} 已启用版本 ${target}，所有 hub 进程一秒内生效`);
      } catch (err) {
        if (err instanceof ApiError && err.code === 'COVERAGE_CONFLICT') {
          const details = coverageConflictDetailsSchema.safeParse(err.details);
          const list = details.success ? details.data.conflicts : [];
          setConflicts({ version: target, list });
          return;
        }
        if (err instanceof ApiError && err.code === 'VERIFICATION_REQUIRED' && !options.force) {
          modal.confirm({
            title: '此版本没有通过的验证报告',
            content: `${err.message}。仍要强制启用吗？强制启用会记入审计日志。`,
            okText: '强制启用',
            okButtonProps: { danger: true },
            cancelText: '取消',
            onOk: () => activate(target, { ...options, force: true }),
          });
          return;
        }
        throw err;
      }
    });

  if (error) return <Alert type="error" showIcon message={error} action={<Button onClick={() => navigate('/adapters')}>返回列表</Button>} />;
  if (!adapter) return <Card loading />;

  const retired = adapter.versions.filter((v) => v.status === 'retired' && (!adapter.activeVersion || compareVersions(v.version, adapter.activeVersion) < 0));
  const previous = retired.sort((a, b) => compareVersions(b.version, a.version))[0];
  const replaces = [...new Set(conflicts?.list.map((c) => c.servedBy) ?? [])];

  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {adapter.providerName} · {adapter.name} <Typography.Text type="secondary">({adapter.id})</Typography.Text>
        </Typography.Title>
        <Space wrap>
          <Button icon={<EditOutlined />} onClick={() => navigate('/adapters/new')}>
            编辑新版本
          </Button>
          <Select id="action-version" value={version} onChange={setVersion} style={{ width: 130 }} options={adapter.versions.map((v) => ({ value: v.version, label: v.version }))} />
          <Button id="activate" type="primary" icon={<PlayCircleOutlined />} loading={busy === 'activate'} disabled={!version} onClick={() => version && void activate(version)}>
            启用
          </Button>
          {adapter.status === 'active' && (
            <Popconfirm title={`停用 ${adapter.id}？所有城市立即不再由它服务。`} okText="停用" cancelText="取消" onConfirm={() => run('disable', async () => setAdapter((await api(adapterDetailSchema, 'POST', `/admin/adapters/${id}/disable`)).adapter))}>
              <Button id="disable" danger icon={<StopOutlined />} loading={busy === 'disable'}>
                停用
              </Button>
            </Popconfirm>
          )}
          {previous && (
            <Popconfirm title={`回滚到上一版本 ${previous.version}？`} okText="回滚" cancelText="取消" onConfirm={() => activate(previous.version)}>
              <Button id="rollback" icon={<RollbackOutlined />}>
                回滚到 {previous.version}
              </Button>
            </Popconfirm>
          )}
          {adapter.status === 'draft' && (
            <Popconfirm
              title="删除这个从未服务过的草稿（含所有版本）？"
              okText="删除"
              cancelText="取消"
              onConfirm={() =>
                run('delete', async () => {
                  await api(noContentSchema, 'DELETE', `/admin/adapters/${id}`);
                  message.success(`已删除草稿 ${id}`);
                  navigate('/adapters');
                })
              }
            >
              <Button id="delete-draft" danger icon={<DeleteOutlined />} loading={busy === 'delete'}>
                删除草稿
              </Button>
            </Popconfirm>
          )}
        </Space>
      </Space>

      <Card size="small" style={{ marginBottom: 16 }}>
        <Descriptions size="small" column={3}>
          <Descriptions.Item label="类别">{CATEGORY_LABELS[adapter.category]}</Descriptions.Item>
          <Descriptions.Item label="状态">
            <Tag id="adapter-status" color={ADAPTER_STATUS[adapter.status].color}>
              {ADAPTER_STATUS[adapter.status].label}
            </Tag>
          </Descriptions.Item>
          <Descriptions.Item label="当前版本">
            <span id="adapter-active-version">{adapter.activeVersion ?? '—'}</span>
          </Descriptions.Item>
          <Descriptions.Item label="覆盖">{coverageSummary(adapter.coverage)}</Descriptions.Item>
          <Descriptions.Item label="类型">{adapter.kind === 'code' ? '代码适配器' : '清单适配器'}</Descriptions.Item>
          <Descriptions.Item label="健康">
            {adapter.health ? (
              <>
                <Tag color={HEALTH_STATUS[adapter.health.status].color}>{HEALTH_STATUS[adapter.health.status].label}</Tag>错误率 {(adapter.health.errorRate * 100).toFixed(1)}%，p95 {adapter.health.latencyMs.p95} ms
              </>
            ) : (
              '—'
            )}
          </Descriptions.Item>
        </Descriptions>
        <Table
          size="small"
          rowKey="version"
          pagination={false}
          dataSource={adapter.versions}
          columns={[
            { title: '版本', dataIndex: 'version' },
            { title: '状态', dataIndex: 'status', render: (s: AdapterSummary['versions'][number]['status']) => <Tag color={VERSION_STATUS[s].color}>{VERSION_STATUS[s].label}</Tag> },
            { title: '验证', dataIndex: 'verified', render: (v: boolean) => (v ? <Tag color="green">已通过</Tag> : <Tag>未通过</Tag>) },
            { title: '登记人', dataIndex: 'createdBy' },
            { title: '登记时间', dataIndex: 'createdAt', render: beijingTime },
          ]}
        />
      </Card>

      <Card size="small" title="验证（一致性检查）" id="verify-card">
        <Typography.Paragraph type="secondary">
          用测试账户通过清单调用缴费单位：<Typography.Text code>existing</Typography.Text> 存在的账户，<Typography.Text code>missing</Typography.Text> 不存在的账户；要检验销账映射，给出
          <Typography.Text code>payable</Typography.Text>（会真实销掉其第一笔账单，请用沙箱账户），或 <Typography.Text code>paidWriteOff</Typography.Text>（缴费单位已销账的一笔：
          <Typography.Text code>{'{"fields", "orderNo", "billRefs", "amountFen"}'}</Typography.Text>，重放而不花掉账单）。两者都没有时销账检查会跳过，启用会被拒绝。
        </Typography.Paragraph>
        <Input.TextArea
          id="verify-accounts"
          aria-label="测试账户（JSON）"
          value={accounts}
          onChange={(e) => {
            setAccounts(e.target.value);
            sessionStorage.setItem(accountsKey, e.target.value);
          }}
          autoSize={{ minRows: 5, maxRows: 12 }}
          style={{ fontFamily: 'ui-monospace, Menlo, Consolas, monospace' }}
          status={accountsError ? 'error' : undefined}
        />
        {accountsError && <Typography.Text type="danger">{accountsError}</Typography.Text>}
        <div style={{ marginTop: 12 }}>
          <Button id="verify" icon={<ExperimentOutlined />} loading={busy === 'verify'} onClick={verify}>
            验证版本 {version}
          </Button>
        </div>
        {report && (
          <div id="verify-report" data-passed={String(report.passed)} style={{ marginTop: 16 }}>
            <Alert
              type={report.passed ? (report.writeOffExercised ? 'success' : 'warning') : 'error'}
              showIcon
              message={`${report.adapterId}@${report.version}：${report.passed ? '验证通过' : '验证未通过'}`}
              description={report.writeOffExercised ? '销账映射已实际检验。' : '销账映射未被检验（未给出 payable 或 paidWriteOff）：不强制时不能启用。'}
              style={{ marginBottom: 12 }}
            />
            <Table
              size="small"
              rowKey={(c) => `${c.name}-${c.detail}`}
              pagination={false}
              dataSource={report.checks}
              onRow={(c) => {
                // data-* attributes are valid on any element, though HTMLAttributes does not list them.
                const row: React.HTMLAttributes<HTMLElement> & { 'data-check': string } = { className: `check check--${c.outcome}`, 'data-check': c.name };
                return row;
              }}
              columns={[
                { title: '检查', dataIndex: 'name', render: (name: string) => <>{CHECK_NAMES[name] ?? name} <Typography.Text type="secondary">({name})</Typography.Text></> },
                { title: '结果', dataIndex: 'outcome', render: (o: ConformanceReportDto['checks'][number]['outcome']) => <Tag color={CHECK_OUTCOME[o].color}>{CHECK_OUTCOME[o].label}</Tag> },
                { title: '说明', dataIndex: 'detail' },
                { title: '耗时', dataIndex: 'ms', render: (ms: number) => `${Math.round(ms)} ms` },
              ]}
            />
          </div>
        )}
      </Card>

      <Modal
        open={Boolean(conflicts)}
        title="覆盖冲突"
        onCancel={() => setConflicts(undefined)}
        footer={[
          <Button key="cancel" onClick={() => setConflicts(undefined)}>
            取消
          </Button>,
          <Button key="replace" id="activate-replace" type="primary" danger loading={busy === 'activate'} onClick={() => conflicts && void activate(conflicts.version, { replaces })}>
            替换 {replaces.join('、')}
          </Button>,
        ]}
      >
        <Typography.Paragraph>
          以下城市已由同级别的其他适配器服务。选择“替换”后，{adapter.id} 将在这些城市取代它们（仅限这些城市，并记入审计日志）。
        </Typography.Paragraph>
        <Table
          id="conflict-table"
          size="small"
          rowKey={(c) => `${c.cityCode}-${c.category}-${c.servedBy}`}
          pagination={false}
          dataSource={conflicts?.list ?? []}
          columns={[
            { title: '城市', render: (_: unknown, c: CoverageConflict) => `${c.cityName}（${c.cityCode}）` },
            { title: '类别', dataIndex: 'category', render: (c: CoverageConflict['category']) => CATEGORY_LABELS[c] },
            { title: '当前适配器', dataIndex: 'servedBy' },
          ]}
        />
      </Modal>
    </>
  );
}
