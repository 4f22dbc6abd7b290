import { cityCoverageSchema, cityListSchema, type City, type CityCoverage } from '@cityhub/shared';
import { App, Card, Empty, Select, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { api, describeError } from '../api';
import { COVERAGE_LEVEL, COVERAGE_REASON } from '../labels';

type Row = CityCoverage['categories'][number];

/** 覆盖: who serves each category in a city, and why. */
export default function Coverage() {
  const { message } = App.useApp();
  const [options, setOptions] = useState<City[]>([]);
  const [coverage, setCoverage] = useState<CityCoverage>();
  const [loading, setLoading] = useState(false);
  const searchSeq = useRef(0);

  const search = async (q: string) => {
    const seq = ++searchSeq.current;
    try {
      // The city search is public (residents use it): no token needed.
      const { cities } = await api(cityListSchema, 'GET', `/cities?q=${encodeURIComponent(q)}`, undefined, { auth: false });
      if (seq === searchSeq.current) setOptions(cities.slice(0, 30));
    } catch (err) {
      message.error(describeError(err));
    }
  };

  const show = async (code: string) => {
    setLoading(true);
    try {
      setCoverage(await api(cityCoverageSchema, 'GET', `/admin/coverage?city=${code}`));
      window.history.replaceState(null, '', `${window.location.pathname}?city=${code}`);
    } catch (err) {
      message.error(describeError(err));
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    const code = new URLSearchParams(window.location.search).get('city');
    if (code && /^\d{6}$/.test(code)) void show(code);
    void search('');
    // Once, on opening the page: a ?city= in the address shows that city at once.
  }, []);

  return (
    <>
      <Typography.Title level={3}>覆盖</Typography.Title>
      <Typography.Paragraph type="secondary">每个城市的每个类别恰好由一个已启用的适配器服务：城市级优先于省级，省级优先于全国；同级重叠须由运营人员选择替换。</Typography.Paragraph>
      <Space style={{ marginBottom: 16 }}>
        <Select
          id="coverage-city"
          showSearch
          placeholder="搜索城市（名称、拼音或首字母）"
          style={{ width: 320 }}
          filterOption={false}
          onSearch={(q) => void search(q)}
          onChange={(code: string) => void show(code)}
          options={options.map((c) => ({ value: c.code, label: `${c.name}（${c.provinceName}，${c.code}）` }))}
          notFoundContent="没有匹配的城市"
        />
      </Space>
      {coverage ? (
        <Card size="small" title={`${coverage.city.name}（${coverage.city.code}，${coverage.city.provinceName}）`} id="coverage-card">
          <Table<Row>
            rowKey="category"
            loading={loading}
            pagination={false}
            dataSource={coverage.categories}
            onRow={(r) => ({ id: `coverage-${r.category}` })}
            columns={[
              { title: '类别', dataIndex: 'label' },
              {
                title: '服务的适配器',
                dataIndex: 'servedBy',
                render: (s: Row['servedBy']) =>
                  s ? (
                    <Space>
                      <Typography.Text strong>{s.adapterId}</Typography.Text>
                      <Tag color={s.reason === 'chosen' ? 'purple' : 'blue'}>{COVERAGE_REASON[s.reason]}</Tag>
                    </Space>
                  ) : (
                    <Typography.Text type="secondary">无适配器服务</Typography.Text>
                  ),
              },
              {
                title: '同时覆盖',
                dataIndex: 'candidates',
                render: (candidates: Row['candidates'], r) =>
                  candidates
                    .filter((c) => c.adapterId !== r.servedBy?.adapterId)
                    .map((c) => (
                      <Tag key={c.adapterId}>
                        {c.adapterId}（{COVERAGE_LEVEL[c.level]}）
                      </Tag>
                    )),
              },
            ]}
          />
        </Card>
      ) : (
        <Empty description="选择一个城市查看覆盖" />
      )}
    </>
  );
}
