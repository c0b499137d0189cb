/**
 * PostgreSQL for tests: a fresh database per test file (or per e2e harness), created on the
 * server named by SRO_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres,
 * which must be able to CREATE DATABASE) and dropped when the file is done.
 *
 * Skipping: under CI (CI=true) a PostgreSQL test never skips: an unreachable server fails the
 * suite. Elsewhere, when the server does not answer, the PostgreSQL tests are skipped with a loud
 * warning that says why (`describeWithPostgres`, `skipFileUnlessPostgres`).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';

export const DEFAULT_TEST_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** The server tests create their databases on. */
export const testPostgresUrl = (): string => process.env.SRO_TEST_POSTGRES_URL?.trim() || DEFAULT_TEST_POSTGRES_URL;

export const isPostgresUrl = (url: string | undefined): url is string => /^postgres(ql)?:\/\//i.test(url?.trim() ?? '');

export interface TestDatabase {
  /** postgres:// URL of the new database. */
  url: string;
  name: string;
  /** Drops the database (closing any connection left open to it). Safe to call twice. */
  drop(): Promise<void>;
}

/** `url` with its password hidden, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<malformed URL>';
  }
}

/** `url` pointing at another database of the same server. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** `url` whose connections use `schema` (which must exist) for unqualified names: an empty store in a shared database. */
export function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

async function withAdmin<T>(baseUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: baseUrl, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`cannot connect to the test PostgreSQL server ${redact(baseUrl)} (${(err as Error).message}); start it ` +
      `(pg_ctlcluster --skip-systemctl-redirect <version> main start) or set SRO_TEST_POSTGRES_URL`, { cause: err });
  }
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates `sro_test_<random>` on the server of `baseUrl` (default: SRO_TEST_POSTGRES_URL). */
export async function createTestDatabase(baseUrl: string = testPostgresUrl()): Promise<TestDatabase> {
  const name = `sro_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(baseUrl, (client) => client.query(`CREATE DATABASE ${name} ENCODING 'UTF8' TEMPLATE template0`));
  let dropped = false;
  return {
    name,
    url: withDatabase(baseUrl, name),
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin(baseUrl, async (client) => {
        // pg's Pool.end() resolves before its connections have left the server: let them go
        // before forcing, or the force terminates a connection that is ending, and the
        // termination notice reaches a pool that has nobody left to tell (a spurious failure).
        const deadline = Date.now() + 3000;
        const sessions = async () =>
          Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name])).rows[0].n);
        while ((await sessions()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    },
  };
}

/** Runs SQL on `url` with a short-lived connection (tampering, inspection). */
export async function withPostgres<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const unreachable = new Map<string, string | null>();

/**
 * Why the server cannot be used (undefined when it answers). Synchronous, so that test files can
 * decide at definition time: a child process tries to connect, with a 3 s timeout.
 */
export function postgresUnreachableReason(url: string = testPostgresUrl()): string | undefined {
  if (!unreachable.has(url)) {
    const probe =
      "const { Client } = require('pg');" +
      'const c = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: 3000 });' +
      "c.on('error', () => {});" +
      'c.connect().then(() => c.end()).then(() => process.exit(0), (e) => { process.stderr.write(String((e && (e.message || e.code)) || e)); process.exit(1); });';
    const result = spawnSync(process.execPath, ['-e', probe, url], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8', timeout: 10_000 });
    unreachable.set(url, result.status === 0 ? null : (result.stderr.trim() || result.error?.message || `probe exited with ${result.status ?? result.signal}`));
  }
  return unreachable.get(url) ?? undefined;
}

/** The reason to skip PostgreSQL tests, or undefined to run them (always undefined under CI). */
export function postgresSkipReason(url: string = testPostgresUrl()): string | undefined {
  if (process.env.CI === 'true') return undefined; // never skip in CI: the tests fail instead
  const reason = postgresUnreachableReason(url);
  return reason === undefined ? undefined : `PostgreSQL at ${redact(url)} is unreachable (${reason})`;
}

function warnSkipped(what: string, reason: string): void {
  const bar = '!'.repeat(100);
  console.warn(
    `${bar}\n!! SKIPPED: ${what}\n!! ${reason}.\n!! Start PostgreSQL (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) ` +
      `or point SRO_TEST_POSTGRES_URL / SRO_STORE at a server. Under CI=true these tests fail instead of skipping.\n${bar}`,
  );
}

/** `describe` when PostgreSQL answers (or under CI); otherwise `describe.skip` with a loud warning. */
export function describeWithPostgres(title: string, body: () => void, url: string = testPostgresUrl()): void {
  const reason = postgresSkipReason(url);
  if (reason === undefined) {
    describe(title, body);
  } else {
    warnSkipped(`${title} (PostgreSQL tests)`, reason);
    describe.skip(title, body);
  }
}

/**
 * For test files that define their tests at the top level (the e2e specs): when PostgreSQL is
 * wanted but cannot be used outside CI, turns every test, describe and hook of the calling test
 * file into a skipped one, with a loud warning. Call it while the file is being loaded (at import
 * of its harness), before the file defines any test.
 */
export function skipFileUnlessPostgres(what: string, url: string): void {
  const reason = postgresSkipReason(url);
  if (reason === undefined) return;
  warnSkipped(what, reason);
  const g = globalThis as unknown as Record<string, unknown>;
  const skipped = (fn: unknown) => (fn as { skip: unknown }).skip;
  for (const name of ['describe', 'it', 'test']) if (g[name]) g[name] = skipped(g[name]);
  for (const name of ['beforeAll', 'afterAll', 'beforeEach', 'afterEach']) g[name] = () => undefined;
}
