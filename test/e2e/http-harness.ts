/**
 * Starts the real Nest application (createHttpApp, as `serve` does) on a fresh store for one
 * test file, chosen by SRO_TEST_STORE or else SRO_STORE: unset or `sqlite:...` gives a temporary
 * SQLite file; `memory:` an in-memory store; `postgres://...` a fresh database on that server
 * (test/support/postgres.ts), dropped on close. Registers agencies and tokens through the same
 * paths the CLI uses.
 */
import type { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { Role } from '../../events/access';
import { RegisterAgencyCommand } from '../../src/agencies/register-agency';
import { AccessRegistry } from '../../src/auth/access-registry';
import { createHttpApp } from '../../src/http/create-http-app';
import type { RequestLogOptions } from '../../src/http/request-log';
import { EVENT_STORE, EventStore } from '../../src/store/event-store.port';
import { createTestDatabase, isPostgresUrl, skipFileUnlessPostgres, TestDatabase } from '../support/postgres';

const requestedStore = process.env.SRO_TEST_STORE?.trim() || process.env.SRO_STORE?.trim() || 'sqlite:';
// Outside CI, an unreachable PostgreSQL skips the file that imports this harness, loudly.
if (isPostgresUrl(requestedStore)) skipFileUnlessPostgres('end-to-end tests on PostgreSQL', requestedStore);

export interface Harness {
  app: INestApplication;
  store: EventStore;
  /** The SQLite file, when the harness runs on its default store. */
  dbPath?: string;
  /** The store URL the app was started with (for raw access, e.g. the fresh PostgreSQL database). */
  storeUrl: string;
  /** The ledger signing key of this harness (its checkpoint log is beside it), for a CLI on the same store. */
  keyFile: string;
  http: () => ReturnType<typeof request>;
  /** Registers an agency and returns one token per role, named `<role>-token`. */
  agency(agencyId: string): Promise<Record<Role, string>>;
  token(agencyId: string, role: Role, name: string): Promise<string>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** The store instead of SRO_TEST_STORE / SRO_STORE (e.g. 'sqlite:' for a test that needs SQLite's own behaviour). */
  store?: string;
  /**
   * Opens the event store the app is given, from the URL the harness chose (default: the app
   * opens the URL itself). For tests that wrap the real store (test/support/store-wrapper.ts) or
   * open it with other options. The app then keeps its read models in memory, except on SQLite.
   */
  openStore?: (url: string) => Promise<EventStore>;
  /** The request log (src/http/request-log.ts), e.g. into a stream the test reads; default none. */
  requestLog?: RequestLogOptions;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const wanted = options.store ?? requestedStore;
  const dir = mkdtempSync(join(tmpdir(), 'sro-e2e-'));
  const dbPath = wanted.startsWith('sqlite:') ? join(dir, 'sro.db') : undefined;
  const database: TestDatabase | undefined = isPostgresUrl(wanted) ? await createTestDatabase(wanted) : undefined;
  const url = dbPath ? `sqlite:${dbPath}` : database ? database.url : wanted;
  let app: INestApplication;
  try {
    // Each harness its own signing key and checkpoint log (a shared one would mix stores' checkpoints).
    app = await createHttpApp({ store: options.openStore ? await options.openStore(url) : url, logger: false, ledger: { keyFile: join(dir, 'ledger-key.pem') }, requestLog: options.requestLog });
    await app.init();
  } catch (err) {
    await database?.drop();
    throw err;
  }
  const store = app.get<EventStore>(EVENT_STORE);
  const access = app.get(AccessRegistry);
  const token = async (agencyId: string, role: Role, name: string) =>
    (await access.issue({ agencyId, role, name, recordedBy: 'test-setup' })).token;
  return {
    app,
    store,
    dbPath,
    storeUrl: url,
    keyFile: join(dir, 'ledger-key.pem'),
    http: () => request(app.getHttpServer()),
    token,
    async agency(agencyId) {
      await app
        .get(CommandBus)
        .execute(new RegisterAgencyCommand({ agencyId, recordedBy: 'test-setup', correlationId: 'setup' }, `${agencyId} Police Department`));
      const tokens = {} as Record<Role, string>;
      for (const role of ['admin', 'auditor', 'chief', 'investigator'] as const) tokens[role] = await token(agencyId, role, `${role}-token`);
      return tokens;
    },
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
      await database?.drop();
    },
  };
}

/** Every stream head of the store: equal before and after a refused write means nothing was appended. */
export async function storeHeads(store: EventStore): Promise<string> {
  return JSON.stringify(await store.listStreams(''));
}

/**
 * An agency's policy and three officers (ana, ben, cy), each assigned to Central High and, with
 * `reviewed`, having reviewed the policy: the records the incremental verification tests start from.
 */
export async function recordThreeOfficers(write: (path: string, body: object) => Promise<unknown>, options: { reviewed?: boolean } = {}): Promise<void> {
  await write('/policies', { version: '2025-10', adoptedOn: '2025-08-15' });
  for (const id of ['ana', 'ben', 'cy']) {
    await write('/officers', { officerId: id, name: `Officer ${id}` });
    await write(`/officers/${id}/assignments`, { assignmentId: 'hs', schools: ['Central High'], startDate: '2025-09-02' });
    if (options.reviewed) await write(`/officers/${id}/policy-reviews`, { version: '2025-10', reviewedOn: '2025-08-20' });
  }
}
