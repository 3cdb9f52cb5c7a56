/** Architecture rules, checked by `npm run check` (dependency-cruiser). */
module.exports = {
  forbidden: [
    {
      name: 'core-imports-no-adapter',
      comment: 'src/core is the domain: it defines ports (src/core/ports.ts) and never reaches into adapters, wiring or config.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'core-imports-no-vendor',
      comment: 'src/core uses Node built-ins, zod, yaml, fastest-levenshtein, croner, shell-quote and the PromQL grammar (@prometheus-io/lezer-promql) only; vendor SDKs belong in the adapters.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'], pathNot: '(^|/)node_modules/(zod|yaml|fastest-levenshtein|croner|shell-quote|@prometheus-io/lezer-promql|@lezer/[a-z]+)/' },
    },
    {
      name: 'slack-imports-no-store',
      comment: 'The Slack adapter talks to the core through its ports, never to the database.',
      severity: 'error',
      from: { path: '^src/slack/' },
      to: { path: '^src/store/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles, type-only imports included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves to a file or an installed package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(test/fixtures|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
