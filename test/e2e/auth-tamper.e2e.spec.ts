/**
 * Authentication fails closed on a tampered store (docs/integrity.md, decisions W38), on SQLite
 * and on PostgreSQL, over real HTTP: the server is stopped, the database is edited with raw SQL
 * as someone with access to it would, and the server is started again on it.
 * - A token's revocation deleted (the access stream's head rolled back): the revoked token, and
 *   every other one, is refused with a 503 that says why; the console shows a plain 503 page.
 * - An admin's UserPasswordSet hash replaced by one the attacker knows, with the chain left as it
 *   was or recomputed: nobody signs in (503), with either password.
 * - The CLI `verify` still answers, and names what was altered.
 * - An untouched store, restarted, still lets tokens and sign-ins in.
 */
import type { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACCESS_STREAM } from '../../events/streams';
import type { RecordedEvent } from '../../events/envelope';
import { RegisterAgencyCommand } from '../../src/agencies/register-agency';
import { AccessRegistry } from '../../src/auth/access-registry';
import { Accounts } from '../../src/auth/accounts';
import { hashPassword } from '../../src/auth/passwords';
import { createHttpApp } from '../../src/http/create-http-app';
import { IntegrityMonitor } from '../../src/ledger/integrity-monitor';
import { EVENT_STORE, type EventStore } from '../../src/store/event-store.port';
import { buildCli, runCli } from '../support/cli-process';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';
import { deleteNewestEvent, editEventData, rewriteEvent, type TamperTarget } from '../support/tamper';

jest.setTimeout(90_000);
beforeAll(() => buildCli());

const A = 'gate-pd';
const PASSWORD = 'lilac tractor mustard canyon';
const ATTACKER = 'the attacker knows this one';
const ADMIN = 'admin@gate-pd.example.gov';

/** One store that outlives the servers started on it. */
class Site {
  app?: INestApplication;
  base = '';
  constructor(
    readonly target: TamperTarget & { keyFile: string },
    private readonly cleanup: () => Promise<void>,
  ) {}

  static async open(kind: 'sqlite' | 'postgres'): Promise<Site> {
    const dir = mkdtempSync(join(tmpdir(), 'sro-gate-'));
    let database: TestDatabase | undefined;
    if (kind === 'postgres') database = await createTestDatabase();
    const dbPath = kind === 'sqlite' ? join(dir, 'sro.db') : undefined;
    const storeUrl = dbPath ? `sqlite:${dbPath}` : database!.url;
    return new Site({ dbPath, storeUrl, keyFile: join(dir, 'ledger-key.pem') }, async () => {
      rmSync(dir, { recursive: true, force: true });
      await database?.drop();
    });
  }

  async start(): Promise<void> {
    this.app = await createHttpApp({ store: this.target.storeUrl, logger: false, ledger: { keyFile: this.target.keyFile, verifyIntervalMs: 0, checkpointIntervalMs: 0 } });
    await this.app.listen(0, '127.0.0.1');
    this.base = `http://127.0.0.1:${(this.app.getHttpServer().address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
  }

  async close(): Promise<void> {
    await this.stop();
    await this.cleanup();
  }

  accessEvents(): Promise<RecordedEvent[]> {
    return this.app!.get<EventStore>(EVENT_STORE).readStream(ACCESS_STREAM);
  }

  /** The agency, an admin with a password, and two tokens (one of them revoked when `revoke`). */
  async populate(): Promise<{ revoked: string; kept: string }> {
    await this.app!.get(CommandBus).execute(new RegisterAgencyCommand({ agencyId: A, recordedBy: 'test', correlationId: randomUUID() }, 'Gate PD'));
    const accounts = this.app!.get(Accounts);
    const invitation = await accounts.invite({ agencyId: A, role: 'admin', email: ADMIN, name: 'Ada Admin' }, 'test');
    await accounts.setPassword(invitation.secret, PASSWORD, PASSWORD);
    const access = this.app!.get(AccessRegistry);
    const kept = (await access.issue({ agencyId: A, role: 'admin', name: 'kept', recordedBy: 'test' })).token;
    const revoked = (await access.issue({ agencyId: A, role: 'admin', name: 'leaver', recordedBy: 'test' })).token;
    return { revoked, kept };
  }

  status(token: string): Promise<Response> {
    return fetch(`${this.base}/api/agencies/${A}/status?asOf=2026-03-01`, { headers: { authorization: `Bearer ${token}` } });
  }

  /** Signs in as a browser would (the form's token first); the last answer's status and text. */
  async signIn(password: string): Promise<{ status: number; body: string; cookie?: string }> {
    const page = await fetch(`${this.base}/sign-in`, { redirect: 'manual' });
    const body = await page.text();
    if (page.status !== 200) return { status: page.status, body };
    const cookie = page.headers.getSetCookie()[0].split(';')[0];
    const csrf = /name="_csrf" value="([^"]+)"/.exec(body)![1];
    const answer = await fetch(`${this.base}/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, email: ADMIN, password, next: '/' }),
    });
    const session = answer.headers.getSetCookie().find((c) => c.startsWith('sro_session='));
    return { status: answer.status, body: await answer.text(), cookie: session?.split(';')[0] };
  }

  verifyWithCli() {
    return runCli({ ...process.env, SRO_STORE: this.target.storeUrl, SRO_KEY_FILE: this.target.keyFile }, 'verify');
  }
}

async function expectClosed(site: Site, tokens: string[]): Promise<void> {
  for (const token of tokens) {
    const answer = await site.status(token);
    expect(answer.status).toBe(503);
    const body = (await answer.json()) as { message: string[] };
    expect(body.message[0]).toMatch(/^sign-in and tokens are refused until the records are investigated: .*(ledger failed verification|hash chain is broken)/);
  }
  for (const password of [ATTACKER, PASSWORD]) {
    const signIn = await site.signIn(password);
    expect(signIn.status).toBe(503);
    expect(signIn.body).toContain('Sign-in is stopped: the records did not pass their integrity check');
    expect(signIn.body).toMatch(/What the check found: .+\./);
  }
  // No session, no form: a POST straight to the form is refused the same way.
  const post = await fetch(`${site.base}/sign-in`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email: ADMIN, password: ATTACKER }) });
  expect(post.status).toBe(503);
  // The investigator's CLI still verifies, and says what was altered.
  const cli = site.verifyWithCli();
  expect(cli.status).toBe(1);
  expect(JSON.parse(cli.stdout)).toMatchObject({ ok: false, firstBroken: { reason: expect.any(String) } });
}

function scenarios(kind: 'sqlite' | 'postgres'): void {
  let site: Site;
  beforeEach(async () => {
    site = await Site.open(kind);
    await site.start();
  });
  afterEach(() => site.close());

  it('an untouched store, restarted: tokens and the password still work', async () => {
    const { kept } = await site.populate();
    await site.stop();
    await site.start();
    expect((await site.status(kept)).status).toBe(200);
    expect((await site.signIn(PASSWORD)).status).toBe(303);
  });

  it('a revocation deleted while the server was down (head rolled back): every token and sign-in gets 503', async () => {
    const { revoked, kept } = await site.populate();
    await site.app!.get(AccessRegistry).revoke({ agencyId: A, name: 'leaver', reason: 'left', recordedBy: 'test' });
    expect((await site.status(revoked)).status).toBe(401);
    const events = await site.accessEvents();
    expect(events.at(-1)!.type).toBe('TokenRevoked');
    await site.stop();
    await deleteNewestEvent(site.target, events);
    await site.start();
    await expectClosed(site, [revoked, kept]);
  });

  it("an admin's password hash replaced, the chain left as it was: nobody signs in", async () => {
    const { kept } = await site.populate();
    await site.stop();
    const forged = await hashPassword(ATTACKER);
    await editEventData(site.target, ACCESS_STREAM, 'UserPasswordSet', (json) => {
      const data = JSON.parse(json) as { password: unknown };
      return JSON.stringify({ ...data, password: forged });
    });
    await site.start();
    await expectClosed(site, [kept]);
  });

  it("an admin's password hash replaced and every hash after it recomputed: nobody signs in", async () => {
    const { kept } = await site.populate();
    const events = await site.accessEvents();
    await site.stop();
    const index = events.findIndex((e) => e.type === 'UserPasswordSet');
    await rewriteEvent(site.target, events, index, { ...(events[index].data as object), password: await hashPassword(ATTACKER) });
    await site.start();
    await expectClosed(site, [kept]);
  });

  /** An officer registered through the API with the kept token (a stream other than access). */
  const registerOfficer = async (token: string): Promise<void> => {
    const answer = await fetch(`${site.base}/api/agencies/${A}/officers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ officerId: 'o-1', name: 'Avery Quinn' }),
    });
    expect({ status: answer.status, body: answer.status === 201 ? '' : await answer.text() }).toEqual({ status: 201, body: '' });
  };

  it("an officer's event edited in place (its chain broken, nothing else): sign-in stays open, health says 503, the record is named", async () => {
    const { kept } = await site.populate();
    await registerOfficer(kept);
    await site.stop();
    await editEventData(site.target, `officer-${A}/o-1`, 'OfficerRegistered', (json) => json.replace('Avery Quinn', 'Avery Quinnn'));
    await site.start();
    const report = await site.app!.get(IntegrityMonitor).verify({ witness: true });
    expect(report).toMatchObject({ ok: false, firstBroken: { stream: `officer-${A}/o-1` } });
    expect(report.ledgerWide).toBeUndefined();
    expect((await site.status(kept)).status).toBe(200);
    expect((await site.signIn(PASSWORD)).status).toBe(303);
    expect((await fetch(`${site.base}/api/health`)).status).toBe(503);
  });

  it("the same edit hiding a deleted revocation (the first broken link names the officer's stream): every token and sign-in still gets 503", async () => {
    const { revoked, kept } = await site.populate();
    await registerOfficer(kept);
    await site.app!.get(AccessRegistry).revoke({ agencyId: A, name: 'leaver', reason: 'left', recordedBy: 'test' });
    const events = await site.accessEvents();
    expect(events.at(-1)!.type).toBe('TokenRevoked');
    await site.stop();
    await deleteNewestEvent(site.target, events);
    await editEventData(site.target, `officer-${A}/o-1`, 'OfficerRegistered', (json) => json.replace('Avery Quinn', 'Avery Quinnn'));
    await site.start();
    const report = await site.app!.get(IntegrityMonitor).verify({ witness: true });
    expect(report.ok).toBe(false);
    expect(report.ledgerWide).toBeDefined();
    await expectClosed(site, [revoked, kept]);
  });

  it('tampered while the server runs: once a verification finds it, signed-in sessions and tokens end with 503', async () => {
    const { kept } = await site.populate();
    expect((await site.status(kept)).status).toBe(200);
    const signedIn = await site.signIn(PASSWORD);
    expect(signedIn.status).toBe(303);
    const page = () => fetch(`${site.base}/reminders`, { headers: { cookie: signedIn.cookie! }, redirect: 'manual' });
    expect((await page()).status).toBe(200);
    const events = await site.accessEvents();
    const index = events.findIndex((e) => e.type === 'UserPasswordSet');
    await rewriteEvent(site.target, events, index, { ...(events[index].data as object), password: await hashPassword(ATTACKER) });
    // The background verification (run here on demand, as every SRO_VERIFY_INTERVAL) finds it.
    expect((await site.app!.get(IntegrityMonitor).verify({ witness: true })).ok).toBe(false);
    const answer = await site.status(kept);
    expect(answer.status).toBe(503);
    expect(((await answer.json()) as { message: string[] }).message[0]).toMatch(/the ledger failed verification/);
    expect((await site.signIn(PASSWORD)).status).toBe(503);
    // The session begun before: a plain 503 page, not the page it asked for.
    const refused = await page();
    expect(refused.status).toBe(503);
    expect(await refused.text()).toContain('Sign-in is stopped');
  });
}

describe('SQLite', () => scenarios('sqlite'));
describeWithPostgres('PostgreSQL', () => scenarios('postgres'));
