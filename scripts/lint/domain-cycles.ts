/**
 * Domain-level import cycles in the hub, the part of `npm run lint` that
 * dependency-cruiser's module-level no-circular cannot see: orders/service.ts
 * importing payments/verification.ts while payments/routes.ts imports
 * orders/service.ts is no cycle between files, but it is one between the two
 * domains, and it means neither folder can be read or tested alone.
 *
 * A domain is a folder under server/src/ (server/src/payments/wechatpay counts
 * as payments). Edges from these files are not domain dependencies, and are left out:
 * - server/src/*.ts: the composition root (hub.ts's buildHub, with app.ts, services.ts; main.ts) that wires
 *   every domain, and errors.ts, the error types every domain throws;
 * - server/src/infra/entities.ts and server/src/infra/migrations/: the list of every
 *   domain's entities the DataSource registers, and the migrations that create the tables.
 * .dependency-cruiser.cjs keeps those honest: nothing in a domain imports the
 * composition root, and nothing else in infra/ imports a domain.
 *
 *   npx tsx scripts/lint/domain-cycles.ts     (exit 1 and one line per cycle when there is one)
 */
import type { ICruiseResult } from 'dependency-cruiser';

const LEFT_OUT = [/^server\/src\/[^/]+\.ts$/, /^server\/src\/infra\/entities\.ts$/, /^server\/src\/infra\/migrations\//];
const TESTS = /\.test\.tsx?$/;

function domainOf(path: string): string | undefined {
  const match = /^server\/src\/([^/]+)\//.exec(path);
  return match?.[1];
}

/** Strongly connected components with more than one domain (Tarjan). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    indices.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, indices.get(next) ?? 0));
      }
    }
    if (low.get(node) === indices.get(node)) {
      const component: string[] = [];
      for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
        onStack.delete(top);
        component.push(top);
        if (top === node) break;
      }
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!indices.has(node)) visit(node);
  return found;
}

async function main(): Promise<void> {
  const { cruise } = await import('dependency-cruiser');
  const { output } = await cruise(['server/src'], {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: TESTS.source },
    tsPreCompilationDeps: true,
  });
  if (typeof output === 'string') throw new Error('dependency-cruiser answered text, not a cruise result');
  const result: ICruiseResult = output;
  const graph = new Map<string, Set<string>>();
  const why = new Map<string, string>();
  for (const module of result.modules) {
    const from = domainOf(module.source);
    if (from === undefined || LEFT_OUT.some((re) => re.test(module.source))) continue;
    if (!graph.has(from)) graph.set(from, new Set());
    for (const dependency of module.dependencies) {
      const to = domainOf(dependency.resolved);
      if (to === undefined || to === from || LEFT_OUT.some((re) => re.test(dependency.resolved))) continue;
      graph.get(from)?.add(to);
      if (!why.has(`${from}>${to}`)) why.set(`${from}>${to}`, `${module.source} → ${dependency.resolved}`);
    }
  }
  const found = cycles(graph);
  for (const component of found) {
    console.error(`domain cycle: ${component.join(' ↔ ')}`);
    for (const from of component) {
      for (const to of component) {
        const edge = why.get(`${from}>${to}`);
        if (edge !== undefined) console.error(`  ${edge}`);
      }
    }
  }
  if (found.length > 0) process.exit(1);
  console.log(`no domain cycles (${String(graph.size)} domains under server/src)`);
}

void main();
