/**
 * The operator CLI: a thin, readable wrapper over /api/v1/admin.
 *
 *   npm run cityhub -- adapters list
 *   npm run cityhub -- adapters add FILE.manifest.json
 *   npm run cityhub -- adapters verify ID --accounts FILE.json [--version V]
 *   npm run cityhub -- adapters activate ID [--version V] [--force] [--replaces OTHER[,OTHER…]]
 *   npm run cityhub -- adapters disable ID
 *   npm run cityhub -- adapters delete ID      (a draft that never served)
 *   npm run cityhub -- adapters health ID
 *   npm run cityhub -- coverage CITY_CODE      (who serves each category there, and why)
 *   npm run cityhub -- secrets put NAME        (value read from standard input)
 *   npm run cityhub -- audit [--operator NAME] [--action TEXT] [--outcome ok|error|refused] [--from ISO] [--to ISO] [--before ID] [--limit N]
 *   npm run cityhub -- reconcile --date YYYY-MM-DD   (download that day's trade bill and reconcile it)
 *
 * CITYHUB_URL (default http://127.0.0.1:3000) and CITYHUB_OPERATOR_TOKEN
 * (default: the token the hub generated in DATA_DIR/operator-token).
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  adapterDetailSchema,
  adapterHealthDetailSchema,
  adapterListSchema,
  auditPageSchema,
  cityCoverageSchema,
  coverageConflictDetailsSchema,
  errorEnvelopeSchema,
  fieldIssueDetailsSchema,
  formatFen,
  noContentSchema,
  reconciliationReportSchema,
  verifyResultSchema,
  type AdapterSummary,
  type ConformanceReportDto,
} from '@cityhub/shared';
import type { z } from 'zod';

// `cityhub … | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const root = path.resolve(__dirname, '..');
const baseUrl = (process.env.CITYHUB_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');

function token(): string {
  if (process.env.CITYHUB_OPERATOR_TOKEN) return process.env.CITYHUB_OPERATOR_TOKEN;
  const file = path.resolve(root, process.env.DATA_DIR ?? 'data', 'operator-token');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fail(`no operator token: set CITYHUB_OPERATOR_TOKEN, or start the hub once so it writes ${path.relative(root, file)}`);
}

function fail(message: string): never {
  process.stderr.write(`cityhub: ${message}\n`);
  process.exit(1);
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Calls the operator API; the answer is checked against the route's shared schema, so the CLI and the hub cannot drift apart. */
async function call<S extends z.ZodType>(answer: S, method: string, route: string, body?: unknown): Promise<z.output<S>> {
  let res: Response;
  try {
    res = await fetch(`${baseUrl}/api/v1/admin${route}`, {
      method,
      headers: { authorization: `Bearer ${token()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    fail(`cannot reach the hub at ${baseUrl} (is it running? npm start)`);
  }
  const text = await res.text();
  let payload: unknown = null;
  try {
    payload = text ? JSON.parse(text) : null;
  } catch {
    fail(`${res.status}: the hub answered something other than JSON: ${text.slice(0, 200)}`);
  }
  if (!res.ok) {
    const envelope = errorEnvelopeSchema.safeParse(payload);
    if (!envelope.success) fail(`${res.status}: ${text.slice(0, 200)}`);
    const { code, message, details } = envelope.data.error;
    const lines = [`${res.status} ${code}: ${message}`];
    const issues = fieldIssueDetailsSchema.safeParse(details);
    for (const issue of issues.success ? issues.data.issues : []) lines.push(`  - ${issue.path}: ${issue.message}`);
    const conflicts = coverageConflictDetailsSchema.safeParse(details);
    for (const c of conflicts.success ? conflicts.data.conflicts : []) lines.push(`  - ${c.cityCode} ${c.cityName} ${c.category}: served by ${c.servedBy}`);
    fail(lines.join('\n'));
  }
  const parsed = answer.safeParse(payload);
  if (!parsed.success) fail(`the hub's answer to ${method} ${route} does not match the API (${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}): is the CLI older than the hub?`);
  return parsed.data;
}

function readJson(file: string | undefined, what: string): unknown {
  if (!file) fail(`give the ${what} file`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    fail(`cannot read ${file}: ${(err as Error).message}`);
  }
}

function printAdapter(a: AdapterSummary): void {
  const health = a.health ? `${a.health.status} (breaker ${a.health.breaker}, p95 ${a.health.latencyMs.p95} ms, errors ${(a.health.errorRate * 100).toFixed(1)}%)` : '-';
  console.log(`${a.id.padEnd(22)} ${a.category.padEnd(13)} ${a.status.padEnd(9)} ${(a.activeVersion ?? '-').padEnd(8)} ${a.kind.padEnd(9)} ${health}`);
}

function printReport(report: ConformanceReportDto): void {
  console.log(`conformance of ${report.adapterId}@${report.version}: ${report.passed ? 'PASSED' : 'FAILED'}`);
  const mark = { passed: 'ok  ', failed: 'FAIL', skipped: 'SKIP' } as const;
  for (const c of report.checks) console.log(`  ${mark[c.outcome]} ${c.name.padEnd(38)} ${c.detail} (${c.ms} ms)`);
  if (report.passed && !report.writeOffExercised) console.log('the write-off mapping was not exercised: activation needs --force until it is (give a payable account or a paidWriteOff)');
}

async function main(argv: string[]): Promise<void> {
  const [area, verb, target, ...rest] = argv;
  if (area === 'adapters' && verb === 'list') {
    const { adapters } = await call(adapterListSchema, 'GET', '/adapters');
    console.log(`${'id'.padEnd(22)} ${'category'.padEnd(13)} ${'status'.padEnd(9)} ${'version'.padEnd(8)} ${'kind'.padEnd(9)} health`);
    adapters.forEach(printAdapter);
    return;
  }
  if (area === 'adapters' && verb === 'add') {
    const { adapter } = await call(adapterDetailSchema, 'POST', '/adapters', readJson(target, 'manifest'));
    console.log(`registered ${adapter.id}: versions ${adapter.versions.map((v) => `${v.version} (${v.status})`).join(', ')}`);
    console.log(`next: npm run cityhub -- adapters verify ${adapter.id} --accounts ACCOUNTS.json`);
    return;
  }
  if (area === 'adapters' && verb === 'verify' && target) {
    const testAccounts = readJson(option(rest, 'accounts'), 'test accounts');
    const { report } = await call(verifyResultSchema, 'POST', `/adapters/${target}/verify`, { version: option(rest, 'version'), testAccounts });
    printReport(report);
    if (!report.passed) process.exitCode = 2;
    return;
  }
  if (area === 'adapters' && verb === 'activate' && target) {
    const replaces = option(rest, 'replaces')?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
    const { adapter } = await call(adapterDetailSchema, 'POST', `/adapters/${target}/activate`, { version: option(rest, 'version'), force: rest.includes('--force'), replaces });
    console.log(`${adapter.id} now serves version ${adapter.activeVersion} on every hub process${replaces.length ? `, in place of ${replaces.join(', ')} where both cover a city` : ''}`);
    console.log(`see who serves a city: npm run cityhub -- coverage CITY_CODE`);
    return;
  }
  if (area === 'coverage' && verb) {
    const c = await call(cityCoverageSchema, 'GET', `/coverage?city=${encodeURIComponent(verb)}`);
    console.log(`${c.city.name} (${c.city.code}, ${c.city.provinceName})`);
    for (const g of c.categories) {
      const served = g.servedBy ? `${g.servedBy.adapterId} (${g.servedBy.reason === 'chosen' ? 'chosen by an operator' : `${g.servedBy.reason}-level`})` : 'nobody';
      const others = g.candidates.filter((x) => x.adapterId !== g.servedBy?.adapterId).map((x) => `${x.adapterId} (${x.level})`);
      console.log(`  ${g.category.padEnd(13)} ${served}${others.length ? `; also covering: ${others.join(', ')}` : ''}`);
    }
    return;
  }
  if (area === 'adapters' && verb === 'disable' && target) {
    await call(adapterDetailSchema, 'POST', `/adapters/${target}/disable`);
    console.log(`${target} disabled`);
    return;
  }
  if (area === 'adapters' && verb === 'delete' && target) {
    await call(noContentSchema, 'DELETE', `/adapters/${target}`);
    console.log(`draft ${target} deleted`);
    return;
  }
  if (area === 'adapters' && verb === 'health' && target) {
    const h = await call(adapterHealthDetailSchema, 'GET', `/adapters/${target}/health`);
    console.log(`${target}@${h.version ?? '-'}`);
    if (h.health) {
      console.log(`  status    ${h.health.status}${h.health.reason ? ` — ${h.health.reason}` : ''}`);
      console.log(`  breaker   ${h.health.breaker}`);
      console.log(`  calls     ${h.health.calls}, error rate ${(h.health.errorRate * 100).toFixed(1)}%`);
      console.log(`  latency   p50 ${h.health.latencyMs.p50} ms, p95 ${h.health.latencyMs.p95} ms, p99 ${h.health.latencyMs.p99} ms`);
    } else console.log('  not serving');
    if (h.probe) console.log(`  probe     ${h.probe.ok ? 'ok' : 'FAILED'}${h.probe.detail ? ` (${h.probe.detail})` : ''}`);
    return;
  }
  if (area === 'secrets' && verb === 'put' && target) {
    const value = fs.readFileSync(0, 'utf8').trim();
    if (!value) fail('pipe the secret value on standard input');
    await call(noContentSchema, 'PUT', `/secrets/${target}`, { value });
    console.log(`secret ${target} stored (sealed; it will not be shown again)`);
    return;
  }
  if (area === 'audit') {
    const query = new URLSearchParams();
    for (const name of ['operator', 'action', 'outcome', 'from', 'to', 'before', 'limit']) {
      const value = option(argv, name);
      if (value !== undefined) query.set(name, value);
    }
    const page = await call(auditPageSchema, 'GET', `/audit${query.size ? `?${query.toString()}` : ''}`);
    for (const e of page.entries) {
      const details = e.details === null || e.details === undefined ? '' : ` ${JSON.stringify(e.details)}`;
      console.log(`${e.at}  ${e.actor.padEnd(10)} ${e.outcome.padEnd(7)} ${e.action}${e.target && !e.action.includes(e.target) ? ` ${e.target}` : ''}${details}`);
    }
    if (page.nextBefore !== null) console.log(`older: npm run cityhub -- audit --before ${page.nextBefore}`);
    return;
  }
  if (area === 'reconcile') {
    const date = option(argv, 'date');
    if (!date) fail('give the day: reconcile --date YYYY-MM-DD');
    const r = await call(reconciliationReportSchema, 'POST', '/reconciliation', { date });
    console.log(`reconciliation of ${r.date}: ${r.balanced ? 'BALANCED' : 'DIFFERENCES FOUND'}`);
    console.log(`  gateway payments  ${String(r.counts.gatewayPayments).padStart(6)}  ${formatFen(r.totals.gatewayPaidFen)}`);
    console.log(`  written off       ${String(r.counts.matched).padStart(6)}  ${formatFen(r.totals.writtenOffFen)}`);
    console.log(`  refunded orders   ${String(r.counts.refunded).padStart(6)}  ${formatFen(r.totals.refundedOrdersFen)}`);
    console.log(`  gateway refunds   ${String(r.counts.gatewayRefunds).padStart(6)}  ${formatFen(r.totals.gatewayRefundedFen)}`);
    for (const d of r.differences) console.log(`  ${d.kind.padEnd(22)} ${d.orderNo}  gateway ${d.gatewayFen ?? '-'} fen, hub ${d.hubFen ?? '-'} fen (${d.hubStatus ?? 'no order'})`);
    if (!r.balanced) process.exitCode = 2;
    return;
  }
  fail(`unknown command: ${argv.join(' ') || '(none)'}\n${fs.readFileSync(__filename, 'utf8').split('*/')[0]}`);
}

main(process.argv.slice(2)).catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
