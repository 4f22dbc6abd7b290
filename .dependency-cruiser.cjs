/**
 * The house's architecture rules, checked by `npm run lint` (after eslint).
 * docs/lint.md explains each one; every exception is named here, with why.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Import cycles make start-up order and mocking depend on which module loads first; ' +
        'a domain that needs another receives its service through the constructor (server/src/services.ts).',
      from: {},
      to: { circular: true },
    },
    // Cycles between domain folders (orders → payments → orders without a cycle between files) are
    // checked by scripts/lint/domain-cycles.ts: a folder-scoped rule here cannot leave out the
    // composition root and infra/entities.ts, which import every domain by design.
    {
      name: 'infra-not-to-domains',
      severity: 'error',
      comment:
        'infra/ is the layer under the domains. Exceptions: infra/entities.ts lists every entity for the ' +
        'DataSource; the migrations create every table (one reads the city catalog it seeds).',
      from: { path: '^server/src/infra/', pathNot: ['^server/src/infra/entities[.]ts$', '^server/src/infra/migrations/'] },
      to: { path: '^server/src/[^/]+/', pathNot: '^server/src/infra/' },
    },
    {
      name: 'domains-not-to-composition-root',
      severity: 'error',
      comment: 'hub.ts (buildHub), app.ts, services.ts and main.ts wire the domains together; a domain that imports them imports every other.',
      from: { path: '^server/src/[^/]+/' },
      to: { path: '^server/src/(hub|app|services|main)[.]ts$' },
    },
    {
      name: 'server-not-to-sandbox',
      severity: 'error',
      comment: 'The sandbox (mock WeChat, simulated providers) is for tests and demos; the hub itself must run without it.',
      from: { path: '^server/src/' },
      to: { path: '^server/sandbox/' },
    },
    {
      name: 'miniapp-not-to-server',
      severity: 'error',
      comment: 'The mini-program talks to the hub over HTTP only; shared types come from shared/.',
      from: { path: '^miniapp/' },
      to: { path: '^server/' },
    },
    {
      name: 'console-not-to-server-src',
      severity: 'error',
      comment: 'The operator console is a browser app: it reaches the hub over HTTP and shares types through shared/.',
      from: { path: '^server/console/' },
      to: { path: '^server/(src|sandbox|test)/' },
    },
    {
      name: 'entities-only-in-their-domain',
      severity: 'error',
      comment:
        "A domain's tables (server/src/<domain>/entities.ts) are read and written only by that domain; " +
        "others ask its service. Exceptions: infra/entities.ts lists every entity for the DataSource, and " +
        'the migrations create every table.',
      from: {
        path: '^server/src/([^/.]+|[^/]+[.]ts$)',
        pathNot: ['^server/src/infra/entities[.]ts$', '^server/src/infra/migrations/'],
      },
      to: { path: '^server/src/[^/]+/entities[.]ts$', pathNot: '^server/src/$1/entities[.]ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Architecture rules are about the product's code; tests may reach across domains to set up state.
    exclude: { path: ['(^|/)(node_modules|dist)/', '[.](test|e2e)[.]tsx?$', '^server/test/', '^miniapp/(test|e2e)/'] },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
