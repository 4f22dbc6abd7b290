import { reconciliationReportSchema, type ReconciliationDifference, type ReconciliationReport } from '@cityhub/shared';
import { Alert, App, Button, Card, DatePicker, Descriptions, Space, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { api, ApiError, describeError } from '../api';
import { DIFFERENCE_KIND, beijingTime, yuan } from '../labels';

/** Yesterday in Beijing: the last day with a whole trade bill. */
function yesterdayInBeijing(): Dayjs {
  return dayjs(new Date(Date.now() + 8 * 3600_000 - 86_400_000).toISOString().slice(0, 10));
}

/** 对账: a day's reconciliation report (gateway trade bill vs write-offs vs refunds) with its differences. */
export default function Reconciliation() {
  const { message } = App.useApp();
  const [day, setDay] = useState<Dayjs>(yesterdayInBeijing);
  const [report, setReport] = useState<ReconciliationReport | null>();
  const [loading, setLoading] = useState(false);

  const load = async (date: Dayjs) => {
    setLoading(true);
    try {
      setReport(await api(reconciliationReportSchema, 'GET', `/admin/reconciliation?date=${date.format('YYYY-MM-DD')}`));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'REPORT_NOT_FOUND') setReport(null);
      else message.error(describeError(err));
    } finally {
      setLoading(false);
    }
  };
  const runNow = async () => {
    setLoading(true);
    try {
      setReport(await api(reconciliationReportSchema, 'POST', '/admin/reconciliation', { date: day.format('YYYY-MM-DD') }));
    } catch (err) {
      message.error(describeError(err));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load(day);
    // On opening the page, and again for each day chosen.
  }, [day]);

  return (
    <>
      <Typography.Title level={3}>对账</Typography.Title>
      <Space style={{ marginBottom: 16 }}>
        <DatePicker id="reconciliation-date" value={day} allowClear={false} onChange={(d) => d && setDay(d)} disabledDate={(d) => d.isAfter(dayjs())} />
        <Button loading={loading} onClick={() => void runNow()}>
          立即对账
        </Button>
      </Space>
      {report === null && <Alert type="info" showIcon message={`${day.format('YYYY-MM-DD')} 还没有对账报告`} description="每日对账任务会在次日生成；也可以点击“立即对账”下载网关账单并核对。" />}
      {report && (
        <Card size="small" id="reconciliation-report" title={`${report.date} 对账报告`} extra={<Typography.Text type="secondary">生成于 {beijingTime(report.generatedAt)}</Typography.Text>}>
          <Alert type={report.balanced ? 'success' : 'error'} showIcon message={report.balanced ? '账平：每笔支付都已销账或退款，金额一致' : `账不平：${report.counts.differences} 处差异`} style={{ marginBottom: 12 }} />
          <Descriptions size="small" column={3} bordered>
            <Descriptions.Item label="网关支付笔数">{report.counts.gatewayPayments}</Descriptions.Item>
            <Descriptions.Item label="网关退款笔数">{report.counts.gatewayRefunds}</Descriptions.Item>
            <Descriptions.Item label="匹配笔数">{report.counts.matched}</Descriptions.Item>
            <Descriptions.Item label="网关收款">{yuan(report.totals.gatewayPaidFen)}</Descriptions.Item>
            <Descriptions.Item label="已销账">{yuan(report.totals.writtenOffFen)}</Descriptions.Item>
            <Descriptions.Item label="网关退款">{yuan(report.totals.gatewayRefundedFen)}</Descriptions.Item>
            <Descriptions.Item label="已退款订单">{yuan(report.totals.refundedOrdersFen)}</Descriptions.Item>
            <Descriptions.Item label="退款笔数">{report.counts.refunded}</Descriptions.Item>
            <Descriptions.Item label="差异">{report.counts.differences}</Descriptions.Item>
          </Descriptions>
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            差异
          </Typography.Title>
          <Table<ReconciliationDifference>
            size="small"
            rowKey={(d) => `${d.kind}-${d.orderNo}-${d.transactionId ?? ''}`}
            pagination={false}
            dataSource={report.differences}
            locale={{ emptyText: '没有差异' }}
            columns={[
              { title: '类型', dataIndex: 'kind', render: (k: ReconciliationDifference['kind']) => <Tag color="red">{DIFFERENCE_KIND[k]}</Tag> },
              { title: '订单号', dataIndex: 'orderNo' },
              { title: '微信支付单号', dataIndex: 'transactionId', render: (t: string | null) => t ?? '—' },
              { title: '网关金额', dataIndex: 'gatewayFen', render: yuan },
              { title: 'hub 金额', dataIndex: 'hubFen', render: yuan },
              { title: '订单状态', dataIndex: 'hubStatus', render: (s: string | null) => s ?? '—' },
            ]}
          />
        </Card>
      )}
    </>
  );
}
