/**
 * Four tiers, named by the test file's name (README.md "Tests", docs/decisions.md W46):
 * `*.unit.spec.ts` pure and in-process, no I/O beyond temporary files; `*.integration.spec.ts` real
 * SQLite/PostgreSQL stores; `*.e2e.spec.ts` HTTP and CLI, in-process or spawned; `*.browser.spec.ts`
 * Chromium. Each tier is a jest project: `jest --selectProjects unit` runs one tier.
 * @type {import('jest').Config}
 */
const tier = (name) => ({
  displayName: name,
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: [`**/*.${name}.spec.ts`],
  transform: {
    // Type checking is done once for the whole tree by `npm run typecheck` (part of `npm test`);
    // here each file is only transpiled, which keeps decorator metadata and runs much faster.
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
});

module.exports = {
  testTimeout: 30000,
  projects: ['unit', 'integration', 'e2e', 'browser'].map(tier),
};
