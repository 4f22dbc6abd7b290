import { KeyOutlined } from '@ant-design/icons';
import { noContentSchema, secretParamsSchema } from '@cityhub/shared';
import { App, Button, Form, Input, Modal, Typography } from 'antd';
import { useState } from 'react';
import { api, describeError } from './api';

/**
 * 存储密钥: a provider credential a manifest names in `secretRef`, stored
 * sealed by the hub (PUT /admin/secrets/:name). The hub never returns it, so
 * this form only writes.
 */
export function SecretButton() {
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ name: string; value: string }>();
  const save = async ({ name, value }: { name: string; value: string }) => {
    setBusy(true);
    try {
      await api(noContentSchema, 'PUT', `/admin/secrets/${encodeURIComponent(name)}`, { value });
      message.success(`密钥 ${name} 已保存`);
      form.resetFields();
      setOpen(false);
    } catch (err) {
      message.error(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button id="store-secret" icon={<KeyOutlined />} onClick={() => setOpen(true)}>
        存储密钥
      </Button>
      <Modal open={open} title="存储缴费单位密钥" okText="保存" cancelText="取消" confirmLoading={busy} onOk={() => form.submit()} onCancel={() => setOpen(false)} destroyOnHidden>
        <Typography.Paragraph type="secondary">清单用 secretRef 按名称引用密钥。密钥加密保存，任何接口都不会返回它；同名再次保存即轮换。</Typography.Paragraph>
        <Form form={form} layout="vertical" onFinish={save}>
          <Form.Item
            name="name"
            label="名称"
            rules={[{ required: true, message: '请输入名称' }, { validator: async (_, v: string) => { if (v && !secretParamsSchema.shape.name.safeParse(v).success) throw new Error('小写字母开头，只含小写字母、数字和 -，如 grid-hmac'); } }]}
          >
            <Input id="secret-name" placeholder="如 wuhan-water-token" autoComplete="off" />
          </Form.Item>
          <Form.Item name="value" label="值" rules={[{ required: true, message: '请输入密钥的值' }]}>
            <Input.Password id="secret-value" autoComplete="new-password" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
