/**
 * Counts type assertions in production code (tests excluded), for docs/lint.md.
 * Walks the TypeScript syntax tree rather than grepping, so `import * as x`,
 * `{ a as b }` and words like "as" in strings and comments are never counted.
 *
 *   npx tsx scripts/lint/count-casts.ts [repo root, default: this checkout]
 *
 * Prints one line per directory and a total: `as` casts (without `as const`),
 * `<T>x` assertions, non-null `!` assertions, and `JSON.parse(...) as T`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const ROOTS = ['server/src', 'shared/src', 'scripts', 'miniapp/src', 'server/console/src'];
const SKIP_DIRS = new Set(['node_modules', 'dist', 'test', 'e2e']);

interface Counts { as: number; angle: number; nonNull: number; jsonParseAs: number }

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!SKIP_DIRS.has(name)) out.push(...sourceFiles(path));
    } else if (/\.tsx?$/.test(name) && !/\.(test|e2e)\.tsx?$/.test(name) && !name.endsWith('.d.ts')) {
      out.push(path);
    }
  }
  return out;
}

function isJsonParse(node: ts.Expression): boolean {
  let inner = node;
  while (ts.isParenthesizedExpression(inner)) inner = inner.expression;
  return ts.isCallExpression(inner) && inner.expression.getText() === 'JSON.parse';
}

function count(file: string): Counts {
  const text = readFileSync(file, 'utf8');
  const kind = file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, kind);
  const counts: Counts = { as: 0, angle: 0, nonNull: 0, jsonParseAs: 0 };
  const visit = (node: ts.Node): void => {
    if (ts.isAsExpression(node) && !(ts.isTypeReferenceNode(node.type) && node.type.typeName.getText() === 'const')) {
      counts.as += 1;
      if (isJsonParse(node.expression)) counts.jsonParseAs += 1;
    } else if (ts.isTypeAssertionExpression(node)) {
      counts.angle += 1;
    } else if (ts.isNonNullExpression(node)) {
      counts.nonNull += 1;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return counts;
}

const repo = process.argv[2] ?? join(__dirname, '..', '..');
const total: Counts = { as: 0, angle: 0, nonNull: 0, jsonParseAs: 0 };
for (const root of ROOTS) {
  const sum: Counts = { as: 0, angle: 0, nonNull: 0, jsonParseAs: 0 };
  for (const file of sourceFiles(join(repo, root))) {
    const c = count(file);
    sum.as += c.as; sum.angle += c.angle; sum.nonNull += c.nonNull; sum.jsonParseAs += c.jsonParseAs;
  }
  total.as += sum.as; total.angle += sum.angle; total.nonNull += sum.nonNull; total.jsonParseAs += sum.jsonParseAs;
  console.log(`${relative(repo, join(repo, root)).padEnd(20)} as ${sum.as}  <T> ${sum.angle}  ! ${sum.nonNull}  JSON.parse as ${sum.jsonParseAs}`);
}
console.log(`${'total'.padEnd(20)} as ${total.as}  <T> ${total.angle}  ! ${total.nonNull}  JSON.parse as ${total.jsonParseAs}`);
