import fs from 'node:fs';
import path from 'node:path';
import { checkManifest, locateIssues } from './manifest-check';

const example = fs.readFileSync(path.resolve(__dirname, '../../../docs/examples/wuhan-water/wuhan-water.manifest.json'), 'utf8');
const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

/** The editor's check: the shared schema, with each issue placed on the line an operator must change. */
describe('checkManifest', () => {
  it('passes the worked example as it is', () => {
    expect(checkManifest(example)).toEqual({ value: JSON.parse(example), issues: [] });
  });

  it('names each unknown key at its own path and line, as the hub does', () => {
    const text = example.replace('"amountUnit": "yuan",', '"amountUnit": "yuan",\n  "priority": 1,').replace('"mode": "exact",', '"mode": "exact", "maxBillz": 1,');
    const { issues } = checkManifest(text);
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'priority', message: 'unknown key "priority": the manifest schema has no such field', line: lineOf(text, '"priority"'), source: 'schema' },
        { path: 'paymentRules.maxBillz', message: 'unknown key "maxBillz": the manifest schema has no such field', line: lineOf(text, '"maxBillz"'), source: 'schema' },
      ]),
    );
  });

  it('shows a bad value at its key, and a missing key at the object that lacks it', () => {
    const manifest = JSON.parse(example);
    manifest.accountFields[0].mask = 'last4';
    delete manifest.operations.writeOffStatus;
    const text = JSON.stringify(manifest, null, 2);
    const { issues } = checkManifest(text);
    expect(issues.find((i) => i.path === 'accountFields.0.mask')?.line).toBe(lineOf(text, '"mask"'));
    expect(issues.find((i) => i.path === 'operations.writeOffStatus')?.line).toBe(lineOf(text, '"operations"'));
  });

  it('reports broken JSON at the line it breaks, before any schema check', () => {
    const text = example.replace('"category": "water",', '"category": "water"');
    const { value, issues } = checkManifest(text);
    expect(value).toBeUndefined();
    expect(issues[0]).toMatchObject({ path: '(JSON)', source: 'json', line: lineOf(text, '"coverage"') });
    expect(issues[0].message).toContain('逗号');
  });

  it("places the hub's 422 paths, numeric keys of objects included", () => {
    const text = JSON.stringify({ ...JSON.parse(example), errorCodes: { '2001': 'NOPE' } }, null, 2);
    const issues = locateIssues(text, [{ path: 'errorCodes.2001', message: 'Invalid option' }, { path: 'operations.queryBills.response.map', message: 'not a valid JSONata expression' }], 'server');
    expect(issues.map((i) => i.line)).toEqual([lineOf(text, '"2001"'), lineOf(text.slice(text.indexOf('"queryBills"')), '"map"') + lineOf(text, '"queryBills"') - 1]);
  });

  it('says nothing about an empty editor', () => {
    expect(checkManifest('  \n')).toEqual({ issues: [] });
  });
});
