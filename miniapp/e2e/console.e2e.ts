import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { createTestHub, TEST_OPERATOR_TOKEN, type TestHub } from '../../server/test/support/app';
import { launchChromium, screenshotDir as shots } from './support/browser';

/**
 * The operator console (issue 10 part 6) in headless Chromium against a test
 * hub on an ephemeral port, with docs/examples/luoyang-water's own provider
 * (the second worked example: form bodies, MD5 signatures, one bill per call):
 * an operator signs in, finds a schema error at its line in the editor,
 * registers a manifest whose mapping is broken and sees verify fail on that
 * check, fixes it, verifies with a write-off exercised, activates it over the
 * adapter already serving 洛阳 by choosing 替换, and reads the coverage and
 * the audit log; then a resident pays two bills in one order through it and
 * the provider takes two write-offs, each once. Needs `npm run build:console` first (`npm test` builds it).
 */
jest.setTimeout(120_000);

const root = path.resolve(__dirname, '..', '..');
const consoleDir = path.join(root, 'server', 'console', 'dist');
const example = path.join(root, 'docs', 'examples', 'luoyang-water');

/** The 1-based line of the first occurrence of `needle` in `text`. */
const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

describe('the operator console in a browser', () => {
  let hub: TestHub;
  let provider: ChildProcess;
  let browser: Browser;
  let page: Page;
  let manifest: Record<string, unknown>;
  let providerUrl: string;
  const browserErrors: string[] = [];

  beforeAll(async () => {
    if (!fs.existsSync(path.join(consoleDir, 'index.html'))) throw new Error('no console build: run `npm run build:console` first');
    provider = spawn(process.execPath, [path.join(example, 'provider.mjs')], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
    providerUrl = await new Promise<string>((resolve, reject) => {
      provider.stdout!.on('data', (chunk: Buffer) => {
        const m = /listening on (http:\/\/\S+)/.exec(chunk.toString());
        if (m) resolve(m[1]);
      });
      provider.once('exit', (code) => reject(new Error(`the example provider exited (${code})`)));
    });
    // The operator's manifest points at wherever their provider runs.
    manifest = JSON.parse(fs.readFileSync(path.join(example, 'luoyang-water.manifest.json'), 'utf8').replace('http://127.0.0.1:4202', providerUrl));
    hub = await createTestHub({ consoleDir, workers: true });

    // Already serving 洛阳's water: an older adapter of the same provider, activated (forced) before the operator arrives.
    const admin = (method: 'put' | 'post', url: string) => request(hub.url)[method](`/api/v1/admin${url}`).set('Authorization', `Bearer ${TEST_OPERATOR_TOKEN}`);
    await admin('put', '/secrets/luoyang-legacy-key').send({ value: 'luoyang-demo-key' }).expect(204);
    const transport = manifest.transport as { signing: object };
    const legacyTransport = { ...transport, signing: { ...transport.signing, secretRef: 'luoyang-legacy-key' } };
    await admin('post', '/adapters').send({ ...manifest, id: 'luoyang-water-legacy', providerName: '洛阳供水（旧接口）', transport: legacyTransport }).expect(201);
    await admin('post', '/adapters/luoyang-water-legacy/activate').send({ force: true }).expect(200);

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    page.setDefaultTimeout(15_000);
    // A CSP refusal (antd's CSS-in-JS, a script) shows up here; the console must run under its policy untouched.
    page.on('console', (m) => m.type() === 'error' && browserErrors.push(m.text()));
    page.on('pageerror', (e) => browserErrors.push(e.message));
    fs.mkdirSync(shots, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
    provider?.kill('SIGTERM');
  });

  // Once the toasts have gone (antd keeps each 3 s) and the modal has finished opening.
  const shot = async (name: string) => {
    await page.locator('.ant-message-notice').first().waitFor({ state: 'detached', timeout: 6000 });
    await page.waitForTimeout(400);
    await page.screenshot({ path: path.join(shots, `${name}.png`) });
  };

  it('serves the console at /console with its own policy, index.html for client routes and immutable hashed assets', async () => {
    const index = await request(hub.url).get('/console/adapters/luoyang-water').expect(200);
    expect(index.headers['content-type']).toContain('text/html');
    expect(index.headers['cache-control']).toBe('no-cache');
    const csp = index.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).not.toContain('unsafe-eval');
    const asset = /\/console\/assets\/[\w.-]+\.js/.exec(index.text)![0];
    const js = await request(hub.url).get(asset).expect(200);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['content-type']).toContain('javascript');
    // A missing hashed asset is a 404 in the envelope, never the page.
    const missing = await request(hub.url).get('/console/assets/gone-1234.js').expect(404);
    expect(missing.body.error.code).toBe('ROUTE_NOT_FOUND');
    const climbing = await request(hub.url).get('/console/../package.json').expect(403);
    expect(climbing.body.error.code).toBe('FORBIDDEN');
    // Only GET and HEAD: the console is files.
    await request(hub.url).head('/console/').expect(200);
    await request(hub.url).post('/console/adapters').send({}).expect(405);
  });

  it('signs in, registers luoyang-water through a broken mapping and a schema error, verifies, replaces the adapter serving 洛阳, sees it in coverage and the audit log; a resident pays two bills in one order through it', async () => {
    // 登录: a wrong token is refused, the right one opens the adapters.
    await page.goto(`${hub.url}/console`);
    await page.waitForURL(/\/console\/login$/);
    await page.getByPlaceholder('运营令牌').fill('not-the-operator-token-0000000000');
    await page.locator('#login-submit').click();
    await page.locator('#login-error').getByText('令牌无效').waitFor();
    await page.getByPlaceholder('运营令牌').fill(TEST_OPERATOR_TOKEN);
    await page.locator('#login-submit').click();
    await page.waitForURL(/\/console\/adapters$/);
    await page.locator('#adapter-luoyang-water-legacy').getByText('已启用').waitFor();

    // 存储密钥: the provider's signing key, which the manifest names as luoyang-key.
    await page.locator('#store-secret').click();
    await page.locator('#secret-name').fill('Wuhan Token');
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByText('小写字母开头').waitFor();
    await page.locator('#secret-name').fill('luoyang-key');
    await page.locator('#secret-value').fill('luoyang-demo-key');
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByText('密钥 luoyang-key 已保存').waitFor();

    // 清单编辑器: the manifest pasted with two schema errors and a broken bill mapping.
    await page.locator('#new-adapter').click();
    await page.waitForURL(/\/console\/adapters\/new$/);
    const broken = structuredClone(manifest) as {
      operations: { queryBills: { response: { map: string } } };
      accountFields: Array<Record<string, unknown>>;
      [key: string]: unknown;
    };
    // The provider answers `je`; this mapping reads `jee`, so no bill has an amount.
    broken.operations.queryBills.response.map = broken.operations.queryBills.response.map.replace('"amount": je', '"amount": jee');
    const withSchemaErrors = JSON.stringify({ ...broken, priority: 1, accountFields: [{ ...broken.accountFields[0], mask: 'last4' }] }, null, 2);
    await page.locator('#manifest-text').fill(withSchemaErrors);

    const priorityLine = lineOf(withSchemaErrors, '"priority"');
    const maskLine = lineOf(withSchemaErrors, '"mask"');
    const priority = page.locator('.manifest-issue[data-path="priority"]');
    await priority.getByText('unknown key "priority"').waitFor();
    expect(await priority.getAttribute('data-line')).toBe(String(priorityLine));
    await expect(priority.textContent()).resolves.toContain(`第 ${priorityLine} 行`);
    const mask = page.locator('.manifest-issue[data-path="accountFields.0.mask"]');
    expect(await mask.getAttribute('data-line')).toBe(String(maskLine));
    // Each error line is marked in the editor's gutter, and nothing can be submitted.
    await page.locator(`.manifest-editor__line--error[data-line="${priorityLine}"]`).waitFor();
    await page.locator(`.manifest-editor__line--error[data-line="${maskLine}"]`).waitFor();
    expect(await page.locator('.manifest-editor__line--error').count()).toBe(2);
    expect(await page.locator('#manifest-submit').isDisabled()).toBe(true);
    // Choosing the issue selects its line in the text.
    await mask.click();
    const selected = await page.locator('#manifest-text').evaluate((el: HTMLTextAreaElement) => el.value.slice(el.selectionStart, el.selectionEnd));
    expect(selected).toContain('"mask": "last4"');
    await shot('console-editor-error');

    // What only the hub checks (every JSONata expression compiles) comes back as a 422, shown the same way.
    const unclosed = structuredClone(manifest) as { operations: { writeOff: { response: { map: string } } } };
    unclosed.operations.writeOff.response.map = '{"reference": body.flow';
    const unclosedText = JSON.stringify(unclosed, null, 2);
    await page.locator('#manifest-text').fill(unclosedText);
    await page.locator('#manifest-valid').waitFor();
    await page.locator('#manifest-submit').click();
    const compileIssue = page.locator('.manifest-issue[data-path="operations.writeOff.response.map"]');
    await compileIssue.getByText('not a valid JSONata expression').waitFor();
    await expect(compileIssue.textContent()).resolves.toContain('服务器');
    const writeOffMapLine = unclosedText.split('\n').findIndex((l) => l.includes('"map": "{\\"reference\\": body.flow"')) + 1;
    expect(writeOffMapLine).toBeGreaterThan(1);
    expect(await compileIssue.getAttribute('data-line')).toBe(String(writeOffMapLine));
    await page.locator(`.manifest-editor__line--error[data-line="${writeOffMapLine}"]`).waitFor();
    await page.locator('#manifest-server-error').getByText('INVALID_MANIFEST').waitFor();

    // Fixed schema, mapping still broken: registered as a draft, and verify fails on the bills check.
    const brokenMapping = JSON.stringify(broken, null, 2);
    await page.locator('#manifest-text').fill(brokenMapping);
    await page.locator('#manifest-valid').waitFor();
    await page.locator('#manifest-submit').click();
    await page.waitForURL(/\/console\/adapters\/luoyang-water$/);
    await page.locator('#adapter-status').getByText('草稿').waitFor();
    await page.locator('#verify-accounts').fill(fs.readFileSync(path.join(example, 'accounts.json'), 'utf8'));
    await page.locator('#verify').click();
    await page.locator('#verify-report[data-passed="false"]').waitFor();
    const billsCheck = page.locator('#verify-report tr[data-check="bills mapped to valid amounts"]');
    await billsCheck.getByText('失败').waitFor();
    await expect(billsCheck.textContent()).resolves.toContain('账单金额映射为有效的分');
    await page.locator('#verify-report').getByText('验证未通过').waitFor();
    await page.locator('#verify-report tr[data-check="account found"]').getByText('通过').waitFor();

    // A version that failed cannot go live: the hub says so, and the console offers only a forced, audited activation.
    // Fix the mapping as a new version; the editor kept the text.
    await page.getByRole('button', { name: '编辑新版本' }).click();
    await page.waitForURL(/\/console\/adapters\/new$/);
    expect(await page.locator('#manifest-text').inputValue()).toBe(brokenMapping);
    const fixed = JSON.stringify({ ...manifest, version: '1.0.1' }, null, 2);
    await page.locator('#manifest-text').fill(fixed);
    await page.locator('#manifest-valid').waitFor();
    await page.locator('#manifest-submit').click();
    await page.waitForURL(/\/console\/adapters\/luoyang-water$/);
    await page.getByRole('cell', { name: '1.0.1', exact: true }).waitFor();

    // 验证 with the payable account: every check passes, the write-off one really exercised.
    await page.locator('#verify').click();
    await page.locator('#verify-report[data-passed="true"]').waitFor();
    await page.locator('#verify-report').getByText('luoyang-water@1.0.1：验证通过').waitFor();
    await page.locator('#verify-report').getByText('销账映射已实际检验。').waitFor();
    const writeOffCheck = page.locator('#verify-report tr[data-check="write-off idempotent"]');
    await writeOffCheck.getByText('通过').waitFor();
    await expect(writeOffCheck.textContent()).resolves.toMatch(/reference LYF\d{8} both times/);
    expect(await page.locator('#verify-report tr.check--failed').count()).toBe(0);
    expect(await page.locator('#verify-report tr.check--skipped').count()).toBe(0);

    // 启用: refused over 洛阳, which luoyang-water-legacy serves; the conflict is shown and 替换 resolves it.
    await page.locator('#activate').click();
    const conflict = page.locator('#conflict-table');
    await conflict.getByText('洛阳市（410300）').waitFor();
    await expect(conflict.textContent()).resolves.toContain('水费');
    await expect(conflict.textContent()).resolves.toContain('luoyang-water-legacy');
    await shot('console-conflict');
    await page.locator('#activate-replace').click();
    await page.locator('#adapter-status').getByText('已启用').waitFor();
    expect(await page.locator('#adapter-active-version').textContent()).toBe('1.0.1');

    // 覆盖: 洛阳's water is served by the new adapter, chosen by an operator; the old one still covers it.
    await page.getByRole('menuitem', { name: '覆盖' }).click();
    await page.waitForURL(/\/console\/coverage$/);
    await page.locator('#coverage-city').fill('洛阳');
    await page.locator('.ant-select-item-option', { hasText: '410300' }).click();
    const water = page.locator('#coverage-water');
    await water.getByText('运营人员指定').waitFor();
    await expect(water.textContent()).resolves.toMatch(/^水费luoyang-water运营人员指定luoyang-water-legacy（城市级）$/);
    await shot('console-coverage');

    // 审计日志: the calls just made, newest first, with the replacement recorded.
    await page.getByRole('menuitem', { name: '审计日志' }).click();
    await page.waitForURL(/\/console\/audit$/);
    const audit = page.locator('#audit-table');
    await audit.getByText('coverage.replace').waitFor();
    const auditText = (await audit.textContent()) ?? '';
    for (const action of ['PUT /secrets/luoyang-key', 'POST /adapters', 'POST /adapters/luoyang-water/verify', 'POST /adapters/luoyang-water/activate', 'coverage.replace']) expect(auditText).toContain(action);
    expect(auditText).toContain('出错'); // the refused activation (409) is there too

    // 适配器列表: both adapters, the new one active at 1.0.1 and healthy.
    await page.getByRole('menuitem', { name: '适配器' }).click();
    await page.waitForURL(/\/console\/adapters$/);
    const row = page.locator('#adapter-luoyang-water');
    await row.getByText('已启用').waitFor();
    const rowText = (await row.textContent()) ?? '';
    for (const expected of ['水费', '洛阳供水', '1.0.1', '城市 410300', '正常', '错误率']) expect(rowText).toContain(expected);
    await shot('console-adapters');

    // The hub saw what the operator saw.
    const { body } = await request(hub.url).get('/api/v1/admin/coverage?city=410300').set('Authorization', `Bearer ${TEST_OPERATOR_TOKEN}`).expect(200);
    expect(body.categories.find((c: { category: string }) => c.category === 'water').servedBy).toEqual({ adapterId: 'luoyang-water', reason: 'chosen' });

    // 401 sends back to sign-in: a token that stops working ends the session.
    await page.evaluate(() => sessionStorage.setItem('cityhub.console.operatorToken', 'revoked-token-000000000000000000'));
    await page.getByRole('button', { name: /刷\s*新/ }).click();
    await page.waitForURL(/\/console\/login$/);

    // A resident of 洛阳 pays both bills of LY00000001 in one order: the provider takes two write-offs, one per bill, each once.
    const { code } = (await (await fetch(`${hub.wechatUrl}/sandbox/client/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userKey: 'luoyang-resident' }) })).json()) as { code: string };
    const login = await request(hub.url).post('/api/v1/auth/login').send({ code }).expect(200);
    const resident = { Authorization: `Bearer ${login.body.token}` };
    const bound = await request(hub.url).post('/api/v1/accounts').set(resident).send({ serviceId: 'luoyang-water', cityCode: '410300', fields: { hh: 'LY00000001' } }).expect(201);
    const owed = await request(hub.url).get(`/api/v1/accounts/${bound.body.account.id}/bills`).set(resident).expect(200);
    expect(owed.body.bills.map((b: { ref: string }) => b.ref)).toEqual(['LY-2609-01', 'LY-2610-01']);
    const created = await request(hub.url).post('/api/v1/orders').set(resident).set('Idempotency-Key', 'console-e2e-two-bills').send({ accountId: bound.body.account.id, billRefs: ['LY-2609-01', 'LY-2610-01'] }).expect(201);
    const paid = await fetch(`${hub.wechatUrl}/sandbox/cashier/pay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...created.body.payment, action: 'confirm' }) });
    expect(((await paid.json()) as { errMsg: string }).errMsg).toBe('requestPayment:ok');
    let status = '';
    for (let i = 0; i < 100 && status !== 'COMPLETED'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await request(hub.url).get(`/api/v1/orders/${created.body.order.id}`).set(resident)).body.order.status;
    }
    expect(status).toBe('COMPLETED');
    const { payments } = (await (await fetch(`${providerUrl}/__sandbox/payments`)).json()) as { payments: Array<{ payNo: string; bill: string; calls: number }> };
    const orderNo: string = created.body.order.orderNo;
    expect(payments.filter((p) => p.payNo.startsWith(orderNo)).map((p) => [p.payNo, p.bill, p.calls])).toEqual([
      [`${orderNo}B01`, 'LY-2609-01', 1],
      [`${orderNo}B02`, 'LY-2610-01', 1],
    ]);

    // The refused calls (401, 409) log "Failed to load resource"; anything else, a CSP refusal above all, fails the test.
    expect(browserErrors.filter((e) => !e.startsWith('Failed to load resource'))).toEqual([]);
  });

  it('rolls an adapter back to its previous version, disables it, and deletes a draft that never served', async () => {
    const admin = (method: 'post', url: string) => request(hub.url)[method](`/api/v1/admin${url}`).set('Authorization', `Bearer ${TEST_OPERATOR_TOKEN}`);
    // An adapter for 开封 whose 1.0.1 went live (forced) after 1.0.0: 1.0.0 is the version to go back to.
    for (const version of ['1.0.0', '1.0.1']) {
      await admin('post', '/adapters').send({ ...manifest, id: 'kaifeng-water', version, providerName: '开封水务', coverage: { cities: ['410200'] } }).expect(201);
      await admin('post', '/adapters/kaifeng-water/activate').send({ version, force: true }).expect(200);
    }
    await admin('post', '/adapters').send({ ...manifest, id: 'scratch-water', providerName: '试验水务' }).expect(201);

    await page.goto(`${hub.url}/console`);
    await page.locator('#login-submit').or(page.locator('#adapter-table')).first().waitFor();
    if (await page.locator('#login-submit').isVisible()) {
      await page.getByPlaceholder('运营令牌').fill(TEST_OPERATOR_TOKEN);
      await page.locator('#login-submit').click();
    }
    const confirm = () => page.locator('.ant-popconfirm .ant-btn-primary').click();

    // 回滚
    await page.locator('#adapter-kaifeng-water').click();
    await page.waitForURL(/\/console\/adapters\/kaifeng-water$/);
    await page.locator('#adapter-active-version').getByText('1.0.1').waitFor();
    await page.locator('#rollback').getByText('回滚到 1.0.0').click();
    await confirm();
    await page.locator('#adapter-active-version').getByText('1.0.0').waitFor();
    expect(await page.locator('#rollback').count()).toBe(0);

    // 停用
    await page.locator('#disable').click();
    await confirm();
    await page.locator('#adapter-status').getByText('已停用').waitFor();

    // 删除草稿
    await page.getByRole('menuitem', { name: '适配器' }).click();
    await page.locator('#adapter-scratch-water').click();
    await page.waitForURL(/\/console\/adapters\/scratch-water$/);
    await page.locator('#delete-draft').click();
    await confirm();
    await page.waitForURL(/\/console\/adapters$/);
    await page.locator('#adapter-luoyang-water').waitFor();
    expect(await page.locator('#adapter-scratch-water').count()).toBe(0);
    await admin('post', '/adapters/scratch-water/verify').send({ testAccounts: { existing: { hh: 'LY00000001' }, missing: { hh: 'LY99999999' } } }).expect(404);

    // 对账: no report yet for the day; 立即对账 reconciles it against the gateway's trade bill.
    await page.getByRole('menuitem', { name: '对账' }).click();
    await page.waitForURL(/\/console\/reconciliation$/);
    await page.getByText('还没有对账报告').waitFor();
    await page.getByRole('button', { name: '立即对账' }).click();
    const report = page.locator('#reconciliation-report');
    await report.getByText('账平').waitFor();
    await report.getByText('没有差异').waitFor();
  });
});
