/**
 * The layering that `npm test` holds (npm run lint:deps): the domain is pure, the use cases
 * depend only on the domain, and no module imports itself back through others.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle means two modules are one: split what they share into a third, or invert the dependency.',
      from: { path: '^(src|dialogs)/' },
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'src/domain is plain TypeScript over values: no I/O, no framework, nothing else of the project.',
      from: { path: '^src/domain/' },
      to: { pathNot: ['^src/domain/', '^node_modules/zod/'] },
    },
    {
      name: 'app-depends-on-domain-and-ports-only',
      severity: 'error',
      comment: 'Use cases see the domain and their ports; adapters (store, channels, http, cli, dialogs, bot) are wired in by the composition root.',
      from: { path: '^src/app/' },
      to: { pathNot: ['^src/(app|domain)/', '^node_modules/zod/'] },
    },
    {
      name: 'nothing-imports-the-composition-root-or-cli',
      severity: 'error',
      comment: 'Only bin/ starts the CLI; adapters never reach back into it.',
      from: { path: '^(src|dialogs)/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'only-entry-points-import-the-composition-root',
      severity: 'error',
      comment: 'src/composition-root.ts builds the service once; serve, the messaging worker and the CLI call it, and nothing it builds may reach back into it.',
      from: { path: '^(src|dialogs)/', pathNot: ['^src/composition-root\\.ts$', '^src/http/server\\.ts$', '^src/channels/messaging/worker\\.ts$', '^src/cli/'] },
      to: { path: '^src/composition-root\\.ts$' },
    },
    {
      name: 'only-the-store-opener-picks-adapters',
      severity: 'error',
      comment: 'Adapters of the storage ports are chosen in src/store/open.ts (openStores) alone; everything else sees src/app/ports.ts.',
      from: { path: '^(src|dialogs)/', pathNot: ['^src/store/', '^src/composition-root\\.ts$'] },
      to: { path: '^src/store/(sqlite|postgres)[^/]*\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-test-code-in-production',
      severity: 'error',
      from: { path: '^(src|dialogs)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^dist/' },
  },
};
