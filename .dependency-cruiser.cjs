/**
 * The layout rules of README "Layout", checked by `npm run lint:layout` (part of `npm test`).
 * Each rule is one row of that table: a folder, and what it may not import. A forbidden import
 * fails the run with the rule's name.
 */
/** Modules that do I/O or belong to the Nest shell, by resolved path (core modules resolve to their name). */
const IO = '^(node:)?(fs|net|http|https|child_process|dgram|dns|tls|worker_threads|cluster)$|^node_modules/(pg|better-sqlite3|@eventstore|express|supertest|@nestjs)/';

module.exports = {
  forbidden: [
    {
      name: 'events-are-pure',
      comment: 'events/ (the catalogue, streams, hash chain, Merkle tree, checkpoints) imports nothing of this project outside events/, no Nest and no I/O.',
      severity: 'error',
      from: { path: '^events/' },
      to: { pathNot: '^events/|^node_modules/(canonicalize|@types/node)/|^(node:)?crypto$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'events-do-no-io',
      severity: 'error',
      from: { path: '^events/' },
      to: { path: IO },
    },
    {
      name: 'projections-are-pure',
      comment: 'projections/ (the compliance rules) imports events/ and itself only, no Nest and no I/O.',
      severity: 'error',
      from: { path: '^projections/' },
      to: { path: '^(src|bench|test)/' },
    },
    {
      name: 'projections-do-no-io',
      severity: 'error',
      from: { path: '^projections/' },
      to: { path: IO },
    },
    {
      name: 'store-imports-events-only',
      comment: 'src/store (the event store port, and one folder per backend: its event store, read-model store, access-log store, files) imports events/, itself, and the ports it implements: the read models\', the access log\'s (with the chain every access-log store shares), the processors\' store and the console sessions\' (src/auth/session-store.port.ts).',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: '^(projections|bench|test)/|^src/(?!store/|read-models/read-model-store\\.port\\.ts$|access-log/access-log-(store|chain)\\.ts$|processors/processor-store\\.port\\.ts$|auth/session-store\\.port\\.ts$)' },
    },
    {
      name: 'only-the-backends-import-drivers',
      comment: 'one place per backend (docs/decisions.md W44): only src/store (a folder per backend) imports pg, better-sqlite3 or @eventstore/db-client.',
      severity: 'error',
      from: { path: '^src/(?!store/)' },
      to: { path: '(^|/)node_modules/(pg|better-sqlite3|@eventstore/db-client)/' },
    },
    {
      name: 'write-imports-no-edge',
      comment: 'src/write (the one append path) imports events/, projections/ (dates), src/store and itself: never the HTTP edge, auth, the slices, the CLI.',
      severity: 'error',
      from: { path: '^src/write/' },
      to: { path: '^(bench|test)/|^src/(?!(store|write)/)' },
    },
    {
      name: 'write-slices-lists-slices',
      comment: 'src/write-slices.ts (the one list of writes) imports the write slices\' descriptors and src/write only.',
      severity: 'error',
      from: { path: '^src/write-slices\\.ts$' },
      to: { path: '^(bench|test)/|^src/(?!(officers|agencies|write)/)' },
    },
    {
      name: 'read-models-import-no-slices',
      comment: 'the read-model runtime imports events/, projections/, src/store and src/read only.',
      severity: 'error',
      from: { path: '^src/read-models/' },
      to: { path: '^(bench|test)/|^src/(?!(store|read-models)/)' },
    },
    {
      name: 'read-imports-no-slices',
      comment: 'src/read (loading what the engine reads, the two time axes) imports the store, the read models, common validation and the product\'s refusal types; never the slices or entry points.',
      severity: 'error',
      from: { path: '^src/read/' },
      to: { path: '^(bench|test)/|^src/(?!(store|read|common|read-models)/|write/refusals\.ts$)' },
    },
    {
      name: 'auth-imports-store-and-events',
      severity: 'error',
      from: { path: '^src/auth/' },
      to: { path: '^(bench|test)/|^src/(?!(store|auth|common|write|config\\.ts))' },
    },
    {
      name: 'identity-imports-auth-and-store',
      comment: 'src/identity (providers, sealed secrets, who gets in, the OIDC flow) imports events/, src/auth, the store port, refusals, common and the ledger options: never the console (whose pages use it), the CLI, the HTTP edge or the slices.',
      severity: 'error',
      from: { path: '^src/identity/' },
      to: { path: '^(projections|bench|test)/|^src/(console|cli|http|officers|agencies|import|read|read-models|processors|access-log|health)/' },
    },
    {
      name: 'processors-import-store-only',
      comment: 'src/processors (the processor port, its store per backend, the runner) imports events/, src/store and itself: what reacts to the log is registered by its owner, never imported here.',
      severity: 'error',
      from: { path: '^src/processors/' },
      to: { path: '^(projections|bench|test)/|^src/(?!(store|processors)/)' },
    },
    {
      name: 'processors-nest-in-providers-only',
      comment: 'the processor port, stores and runner are plain classes; Nest only wires them (processor-providers.ts).',
      severity: 'error',
      from: { path: '^src/processors/(?!processor-providers\\.ts$)' },
      to: { path: '^node_modules/@nestjs/' },
    },
    {
      name: 'notices-import-no-entry-points',
      comment: 'src/notices (reminders by e-mail, calendar feeds: docs/decisions.md W47) reads through the reminders query and writes its events through the store; the console, the CLI and the HTTP edge use it, never the other way round.',
      severity: 'error',
      from: { path: '^src/notices/' },
      to: { path: '^(bench|test)/|^src/(console|cli|http|import|ledger|health|read-models|officers)/|^src/(app|api)\\.module\\.ts$' },
    },
    {
      name: 'witnesses-import-no-entry-points',
      comment: 'src/witnesses (each new checkpoint e-mailed to the agency\'s witnesses: docs/decisions.md W70) uses the ledger\'s checkpoints, the notices\' mailer and settings, the access registry and the processors; the CLI and the app module use it, never the other way round.',
      severity: 'error',
      from: { path: '^src/witnesses/' },
      to: { path: '^(bench|test)/|^src/(console|cli|http|import|health|read-models|officers|agencies|evidence|public)/|^src/(app|api)\\.module\\.ts$' },
    },
    {
      name: 'ledger-imports-no-slices',
      comment: 'src/ledger (key, checkpoints, verification, proofs) imports events/, src/store, the read models, auth (roles) and common.',
      severity: 'error',
      from: { path: '^src/ledger/' },
      to: { path: '^(bench|test)/|^src/(officers|agencies|import|cli|console|http)/' },
    },
    {
      name: 'slices-import-no-entry-points',
      comment: 'the use cases (src/officers, src/agencies) never import the CLI, the HTTP edge (src/http: @WriteCtx() is in src/common), the console or the app module.',
      severity: 'error',
      from: { path: '^src/(officers|agencies|import)/' },
      to: { path: '^(bench|test)/|^src/(cli|console|http)/|^src/app\\.module\\.ts$' },
    },
    {
      name: 'console-reads-through-the-bus',
      comment: 'src/console (the web pages) reads and writes through the QueryBus and CommandBus with the slices\' own queries and commands, and accounts through src/auth: never a store adapter, the read models, the loader or the writer themselves (types aside).',
      severity: 'error',
      from: { path: '^src/console/' },
      to: { path: '^(bench|test)/|^src/(store/(?!event-store\\.port\\.ts$)|read-models/|cli/)|^src/import/bulk-import\\.ts$|^src/read/ledger-reader\\.ts$|^src/write/ledger-writer\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'console-and-api-apart',
      comment: 'the console (src/console) and the API (src/api.module.ts, the slices\' controllers) are two modules, each with its guard and error filter (docs/decisions.md W45): the console never imports the API module or the HTTP bootstrap, the API module never the console.',
      severity: 'error',
      from: { path: '^src/console/' },
      to: { path: '^src/(http/|api\\.module\\.ts$|app\\.module\\.ts$)' },
    },
    {
      name: 'api-imports-no-console',
      severity: 'error',
      from: { path: '^src/api\\.module\\.ts$' },
      to: { path: '^src/console/' },
    },
    {
      name: 'common-imports-no-slices',
      comment: 'src/common (validation, path DTOs, the error filter) never imports the use cases, the read side or the entry points.',
      severity: 'error',
      from: { path: '^src/common/' },
      to: { path: '^src/(officers|agencies|import|cli|console|http|read|read-models|ledger|health)/' },
    },
    {
      name: 'evidence-verifier-needs-no-store',
      comment: 'the evidence packet\'s offline verifier (src/evidence/verify: verify-evidence from a fresh clone, no database) imports events/, projections/, itself and yauzl only: no store, no Nest, no I/O of its own.',
      severity: 'error',
      from: { path: '^src/evidence/verify/' },
      to: { path: '^(bench|test)/|^src/(?!evidence/verify/)|^node_modules/(?!yauzl/|@types/)|^(node:)?(fs|net|http|https|child_process)$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'src-imports-no-tests-or-bench',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(bench|test)/' },
    },
    {
      name: 'no-circular',
      comment: 'no import cycle between modules.',
      severity: 'error',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // node_modules is not followed but stays visible, so that rules can forbid Nest or a driver.
    exclude: { path: '^(dist|coverage)/' },
  },
};
