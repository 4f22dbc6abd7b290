import { CheckCircleOutlined, UploadOutlined } from '@ant-design/icons';
import { adapterDetailSchema } from '@cityhub/shared';
import { Alert, App, Button, Card, List, Space, Tag, Typography } from 'antd';
import { useDeferredValue, useMemo, useRef, useState } from 'react';
import { api, ApiError, describeError } from '../api';
import { checkManifest, locateIssues, type LocatedIssue } from '../manifest-check';
import { ManifestEditor, type ManifestEditorHandle } from '../ManifestEditor';
import { navigate } from '../router';

const DRAFT_KEY = 'cityhub.console.manifestDraft';

/**
 * 清单编辑器: the manifest as JSON, checked on every keystroke with the
 * hub's own schema (@cityhub/shared), each problem listed with its path and
 * shown at its line; 提交 registers it, and the hub's 422 is shown the same way.
 */
export default function Editor() {
  const { message } = App.useApp();
  const [text, setText] = useState(() => sessionStorage.getItem(DRAFT_KEY) ?? '');
  const deferred = useDeferredValue(text);
  const check = useMemo(() => checkManifest(deferred), [deferred]);
  // The hub's answer stays until the text changes: it is about the text it was given.
  const [server, setServer] = useState<{ text: string; issues: LocatedIssue[]; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const editor = useRef<ManifestEditorHandle>(null);
  const file = useRef<HTMLInputElement>(null);

  const serverIssues = server && server.text === text ? server.issues : [];
  const issues = [...check.issues, ...serverIssues];

  const change = (value: string) => {
    setText(value);
    sessionStorage.setItem(DRAFT_KEY, value);
  };

  const submit = async () => {
    if (check.issues.length || check.value === undefined) return;
    setBusy(true);
    try {
      const { adapter } = await api(adapterDetailSchema, 'POST', '/admin/adapters', check.value);
      message.success(`已登记 ${adapter.id}（版本 ${adapter.versions.map((v) => v.version).join('、')}）`);
      navigate(`/adapters/${adapter.id}`);
    } catch (err) {
      if (err instanceof ApiError && err.issues.length) {
        setServer({ text, issues: locateIssues(text, err.issues, 'server'), message: describeError(err) });
      } else {
        setServer({ text, issues: [], message: describeError(err) });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          清单编辑器
        </Typography.Title>
        <Space>
          <input
            ref={file}
            type="file"
            accept=".json,application/json"
            style={{ display: 'none' }}
            onChange={async (e) => {
              const chosen = e.target.files?.[0];
              if (chosen) change(await chosen.text());
              e.target.value = '';
            }}
          />
          <Button icon={<UploadOutlined />} onClick={() => file.current?.click()}>
            从文件载入
          </Button>
          <Button onClick={() => navigate('/adapters')}>返回列表</Button>
          <Button id="manifest-submit" type="primary" loading={busy} disabled={!text.trim() || check.issues.length > 0} onClick={() => void submit()}>
            提交
          </Button>
        </Space>
      </Space>
      <Typography.Paragraph type="secondary">
        粘贴或载入适配器清单（JSON）。每次修改都用服务器同一套校验规则（共享的 zod 清单模式）检查；提交后服务器还会编译每个 JSONata 表达式。同一版本号只能登记一次，修改后请提升 <Typography.Text code>version</Typography.Text>。
      </Typography.Paragraph>
      <div style={{ display: 'grid', gridTemplateColumns: 'minmax(0, 3fr) minmax(280px, 2fr)', gap: 16 }}>
        <ManifestEditor ref={editor} value={text} onChange={change} issues={issues} />
        <Card size="small" title={issues.length ? `问题（${issues.length}）` : '校验'} styles={{ body: { maxHeight: 470, overflow: 'auto' } }} id="manifest-issues">
          {server && server.text === text && (
            <Alert type="error" showIcon message="服务器拒绝了此清单" description={server.message} style={{ marginBottom: 12 }} id="manifest-server-error" />
          )}
          {issues.length === 0 ? (
            text.trim() ? (
              <Alert type="success" showIcon icon={<CheckCircleOutlined />} message="清单符合模式，可以提交" id="manifest-valid" />
            ) : (
              <Typography.Text type="secondary">尚无内容</Typography.Text>
            )
          ) : (
            <List
              size="small"
              dataSource={issues}
              renderItem={(issue, i) => (
                <List.Item
                  key={i}
                  className="manifest-issue"
                  data-path={issue.path}
                  data-line={issue.line}
                  style={{ cursor: 'pointer', alignItems: 'flex-start' }}
                  onClick={() => editor.current?.jumpTo(issue.line)}
                >
                  <Space direction="vertical" size={2} style={{ width: '100%' }}>
                    <Space size={4} wrap>
                      <Tag color="red">第 {issue.line} 行</Tag>
                      <Tag>{issue.source === 'server' ? '服务器' : issue.source === 'json' ? 'JSON' : '模式'}</Tag>
                      <Typography.Text code>{issue.path}</Typography.Text>
                    </Space>
                    <Typography.Text>{issue.message}</Typography.Text>
                  </Space>
                </List.Item>
              )}
            />
          )}
        </Card>
      </div>
    </>
  );
}
