/**
 * The server of the notices' tests: the real application (createHttpApp, as `serve`) on a fresh
 * SQLite file or PostgreSQL database, with the reminders by e-mail pointed at a test SMTP server,
 * the digest's clock driven by the test (`clock.set`), and short retry delays. Seeds one agency
 * with an officer whose only reminder is the 3-year refresher, due 2027-01-10.
 */
import type { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { RegisterAgencyCommand } from '../../src/agencies/register-agency';
import { AccessRegistry } from '../../src/auth/access-registry';
import { Accounts } from '../../src/auth/accounts';
import { createHttpApp } from '../../src/http/create-http-app';
import { NoticeDigest } from '../../src/notices';
import type { NoticeOptions } from '../../src/notices/notice-options';
import { EVENT_STORE, type EventStore } from '../../src/store/event-store.port';

export const AGENCY = 'lakeville-pd';
export const REFRESHER_DUE = '2027-01-10';

/** An instant at noon in Minnesota (CST, UTC-6) on `day`. */
export const noonInMinnesota = (day: string): Date => new Date(`${day}T18:00:00.000Z`);

export interface NoticeServer {
  app: INestApplication;
  store: EventStore;
  storeUrl: string;
  dir: string;
  keyFile: string;
  digest: NoticeDigest;
  clock: { now: Date; set(day: string): void };
  http: () => ReturnType<typeof request>;
  tokens: Record<'admin' | 'chief' | 'investigator' | 'auditor', string>;
  close(): Promise<void>;
}

export async function startNoticeServer(options: { smtpUrl?: string; storeUrl?: string; dir?: string; notices?: Partial<NoticeOptions>; seed?: boolean; publicUrl?: string; keyFile?: string } = {}): Promise<NoticeServer> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'sro-notices-'));
  const storeUrl = options.storeUrl ?? `sqlite:${join(dir, 'sro.db')}`;
  const keyFile = options.keyFile ?? join(dir, `ledger-key-${Math.random().toString(36).slice(2)}.pem`);
  const clock = { now: noonInMinnesota('2026-12-07'), set: (day: string) => (clock.now = noonInMinnesota(day)) };
  const app = await createHttpApp({
    store: storeUrl,
    logger: false,
    ledger: { keyFile },
    notices: {
      smtpUrl: options.smtpUrl,
      publicUrl: options.publicUrl ?? 'http://sro.lakeville.example.gov',
      mailFrom: 'Lakeville SRO compliance <sro@lakeville.example.gov>',
      // The schedule is not the subject here: it would run at 23:59 only.
      digestTime: '23:59',
      retryDelaysMs: [20, 40],
      smtpTimeoutMs: 5000,
      now: () => clock.now,
      ...options.notices,
    },
  });
  await app.init();
  const store = app.get<EventStore>(EVENT_STORE);
  const http = () => request(app.getHttpServer());
  const tokens = {} as NoticeServer['tokens'];
  if (options.seed !== false) {
    await app.get(CommandBus).execute(new RegisterAgencyCommand({ agencyId: AGENCY, recordedBy: 'test-setup', correlationId: 'setup' }, 'Lakeville Police Department'));
    for (const role of ['admin', 'auditor', 'chief', 'investigator'] as const) tokens[role] = (await app.get(AccessRegistry).issue({ agencyId: AGENCY, role, name: `${role}-token`, recordedBy: 'test-setup' })).token;
    const post = async (path: string, body: object) => {
      const res = await http().post(`/api/agencies/${AGENCY}${path}`).set('Authorization', `Bearer ${tokens.admin}`).send(body);
      if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    };
    await post('/policies', { version: 'v1', adoptedOn: '2024-01-01' });
    await post('/officers', { officerId: 'jdoe', name: 'Jordan Doe' });
    await post('/officers/jdoe/assignments', { assignmentId: 'a1', schools: ['Lakeville North High'], startDate: '2024-01-15' });
    await post('/officers/jdoe/trainings', { trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2024-01-10' });
    await post('/officers/jdoe/trainings/t1/certificate', { sha256: 'ab'.repeat(32), fileName: 'jdoe-basic.pdf', filedOn: '2024-01-12' });
    await post('/officers/jdoe/policy-reviews', { version: 'v1', reviewedOn: '2024-01-12' });
    await app.get(Accounts).invite({ agencyId: AGENCY, role: 'chief', email: 'chief@lakeville.example.gov', name: 'Casey Chief' }, 'test-setup');
  }
  return {
    app,
    store,
    storeUrl,
    dir,
    keyFile,
    digest: app.get(NoticeDigest),
    clock,
    http,
    tokens,
    async close() {
      await app.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
