/**
 * Four tiers, named by the test file's name (README.md "Tests", docs/decisions.md W46):
 * `*.unit.spec.ts` pure and in-process, no I/O beyond temporary files; `*.integration.spec.ts` real
 * SQLite/PostgreSQL stores; `*.e2e.spec.ts` HTTP and CLI, in-process or spawned; `*.browser.spec.ts`
 * Chromium. Each tier is a jest project: `jest --selectProjects unit` runs one tier.
 * @type {import('jest').Config}
 */
/** ES-module-only packages that jest transpiles (openid-client, oidc-provider and theirs). */
const ESM_ONLY = ['openid-client', 'oauth4webapi', 'jose', 'oidc-provider'];

const tier = (name) => ({
  displayName: name,
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: [`**/*.${name}.spec.ts`],
  transform: {
    // Type checking is done once for the whole tree by `npm run typecheck` (part of `npm test`);
    // here each file is only transpiled, which keeps decorator metadata and runs much faster.
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    // openid-client 6, oidc-provider 9 and their ESM dependencies are ES modules only: Node loads
    // them with require() in dist/, but jest's module runtime cannot, so they are transpiled to
    // CommonJS here (docs/decisions.md W61).
    [`node_modules/(${ESM_ONLY.join('|')})/.+\\.js$`]: ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' }, isolatedModules: true }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
});

module.exports = {
  testTimeout: 30000,
  projects: ['unit', 'integration', 'e2e', 'browser'].map(tier),
};
