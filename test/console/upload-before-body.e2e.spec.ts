/**
 * The console's upload forms read a body only for someone who may use them (docs/decisions.md
 * W39): 20 anonymous 10 MB uploads at once are answered 403 before their bodies are sent (the
 * CSV import's upload too), and so is a signed-in person of another role; each route's roles are
 * its page's; a signed-in admin's form without its CSRF token has its
 * file refused as it begins (20 at once: the server's buffers do not grow by their 200 MB); the
 * admin's own form uploads as before. The API's upload is refused by its bearer guard before
 * multer reads anything (a guard runs before the route's interceptor). Real HTTP on a real port.
 */
import type { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { RegisterAgencyCommand } from '../../src/agencies/register-agency';
import { AccessRegistry } from '../../src/auth/access-registry';
import { Accounts } from '../../src/auth/accounts';
import { UPLOAD_ROUTES } from '../../src/console';
import { ImportPageController } from '../../src/console/pages/import';
import { RecordFormController } from '../../src/console/pages/record';
import { createHttpApp } from '../../src/http/create-http-app';
import { EVENT_STORE, type EventStore } from '../../src/store/event-store.port';
import { storeHeads } from '../e2e/http-harness';
import { certificatePdf } from '../support/pdf';

jest.setTimeout(120_000);

const PASSWORD = 'lilac tractor mustard canyon';
const AGENCY = 'gate-pd';
const FORM = '/officers/o-1/records/certificate';
const TEN_MB = Buffer.alloc(10 * 1024 * 1024, 0x41);
const BOUNDARY = '----sro-upload-gate';

let app: INestApplication;
let base: string;
let dir: string;
let store: EventStore;
const tokens: Record<string, string> = {};

/** A multipart body: the fields in order, then the file. */
function multipart(fields: Record<string, string>, file: Buffer, name = 'certificate.pdf'): Buffer {
  const head = Object.entries(fields)
    .map(([k, v]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
    .join('');
  return Buffer.concat([
    Buffer.from(`${head}--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/pdf\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

interface Answer {
  status: number;
  /** Bytes of the body written before the answer came. */
  sent: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * POSTs `body` (its full Content-Length declared) in 64 KB pieces. With `stopAfter`, only that
 * many bytes are written, and the answer must come while the rest is still unsent (within 5 s,
 * else status 0). With `hold`, all but its last KB is written, `held` is called once those
 * writes are flushed, and the last KB waits for `hold` (the answer then within 60 s).
 */
function post(path: string, headers: OutgoingHttpHeaders, body: Buffer, options: { stopAfter?: number; hold?: Promise<void>; held?: () => void } = {}): Promise<Answer> {
  return new Promise((resolve) => {
    let sent = 0;
    let answered = false;
    const req = httpRequest(`${base}${path}`, { method: 'POST', headers: { ...headers, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': String(body.length) } });
    const timer = setTimeout(() => finish({ status: 0, sent, headers: {}, body: '' }), options.stopAfter === undefined ? 60_000 : 5_000);
    const finish = (answer: Answer) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      resolve(answer);
      req.destroy();
    };
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      const at = sent;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => finish({ status: res.statusCode!, sent: at, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', () => finish({ status: res.statusCode!, sent: at, headers: res.headers, body: '' }));
    });
    req.on('error', () => undefined);
    const pump = (limit: number, then: () => void) => {
      while (!answered && sent < limit) {
        const piece = body.subarray(sent, Math.min(sent + 65_536, limit));
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', () => pump(limit, then));
      }
      then();
    };
    const end = () => {
      if (sent === body.length) req.end();
    };
    if (options.hold) {
      pump(body.length - 1024, () => {
        req.write(Buffer.alloc(0), () => options.held?.());
        void options.hold!.then(() => pump(body.length, end));
      });
    } else pump(options.stopAfter ?? body.length, end);
  });
}

/** Signs in through the console's form: the session cookie, and the CSRF token of the certificate form. */
async function signIn(email: string): Promise<{ cookie: string; csrf: string }> {
  const page = await fetch(`${base}/sign-in`);
  let cookie = page.headers.getSetCookie()[0].split(';')[0];
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
  const res = await fetch(`${base}/sign-in`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, email, password: PASSWORD, next: '/' }), redirect: 'manual' });
  expect(res.status).toBe(303);
  cookie = res.headers.getSetCookie()[0].split(';')[0];
  const form = await fetch(`${base}/officers/o-1`, { headers: { cookie } });
  return { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(await form.text())![1] };
}

/** V8's collector, to measure what the process keeps rather than garbage not yet collected. */
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
const keptBuffers = (): number => {
  collect();
  return process.memoryUsage().arrayBuffers;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sro-gate-'));
  app = await createHttpApp({ store: `sqlite:${join(dir, 'sro.db')}`, logger: false, ledger: { keyFile: join(dir, 'key.pem') } });
  await app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  store = app.get(EVENT_STORE);
  await app.get(CommandBus).execute(new RegisterAgencyCommand({ agencyId: AGENCY, recordedBy: 'test', correlationId: randomUUID() }, 'Gate PD'));
  for (const role of ['admin', 'chief'] as const) {
    tokens[role] = (await app.get(AccessRegistry).issue({ agencyId: AGENCY, role, name: `${role}-token`, recordedBy: 'test' })).token;
    const invitation = await app.get(Accounts).invite({ agencyId: AGENCY, role, email: `${role}@gate.example`, name: `A ${role}` }, 'test');
    await app.get(Accounts).setPassword(invitation.secret, PASSWORD, PASSWORD);
  }
  const api = (path: string, body: unknown) =>
    fetch(`${base}/api/agencies/${AGENCY}${path}`, { method: 'POST', headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => expect(r.status).toBe(201));
  await api('/officers', { officerId: 'o-1', name: 'Quinn Filer' });
  await api('/officers/o-1/trainings', { trainingId: 't-1', course: 'MN_SRO_BASIC', completedOn: '2025-08-20' });
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const fields = (csrf: string) => ({ _csrf: csrf, idempotencyKey: randomUUID(), trainingId: 't-1', filedOn: '2025-08-25' });

it('20 anonymous 10 MB uploads at once are each answered 403 before their body is sent, and close the connection', async () => {
  const body = multipart(fields('not-a-token'), TEN_MB);
  const before = await storeHeads(store);
  const start = keptBuffers();
  const answers = await Promise.all(Array.from({ length: 20 }, () => post(FORM, {}, body, { stopAfter: 256 * 1024 })));
  const kept = keptBuffers() - start;
  for (const answer of answers) {
    expect(answer.status).toBe(403);
    expect(answer.sent).toBeLessThanOrEqual(256 * 1024);
    expect(answer.headers.connection).toBe('close');
    expect(answer.body).toMatch(/Form refused/);
  }
  expect(kept).toBeLessThan(16 * 1024 * 1024);
  expect(await storeHeads(store)).toBe(before);
  // The CSV import's upload likewise.
  const csv = await post('/import/check', {}, multipart({ _csrf: 'not-a-token' }, Buffer.alloc(5 * 1024 * 1024, 0x61), 'roster.csv'), { stopAfter: 256 * 1024 });
  expect([csv.status, csv.sent <= 256 * 1024, csv.headers.connection]).toEqual([403, true, 'close']);
});

it('each upload route reads bodies for exactly the roles its page allows', () => {
  const pages: Record<string, object> = {
    '/import/check': ImportPageController,
    '/officers/o-1/records/certificate': RecordFormController,
    '/records/record-contract': RecordFormController,
  };
  for (const [path, controller] of Object.entries(pages)) {
    const route = UPLOAD_ROUTES.find((r) => r.path.test(path))!;
    expect({ path, roles: [...route.roles].sort() }).toEqual({ path, roles: [...Reflect.getMetadata('sro:console-roles', controller)].sort() });
  }
  expect(UPLOAD_ROUTES).toHaveLength(Object.keys(pages).length);
});

it('a signed-in person whose role may not upload is answered 403 before the body is sent', async () => {
  const chief = await signIn('chief@gate.example');
  const answer = await post(FORM, { cookie: chief.cookie }, multipart(fields(chief.csrf), TEN_MB), { stopAfter: 256 * 1024 });
  expect(answer.status).toBe(403);
  expect(answer.sent).toBeLessThanOrEqual(256 * 1024);
});

it("an admin's form without its CSRF token has its file refused as it begins: 20 at once, all but their last KB sent, keep none of their 200 MB", async () => {
  const admin = await signIn('admin@gate.example');
  const body = multipart(fields('forged-token'), TEN_MB);
  const before = await storeHeads(store);
  const start = keptBuffers();
  let release!: () => void;
  const hold = new Promise<void>((resolve) => (release = resolve));
  let flushed = 0;
  let allFlushed!: () => void;
  const allSent = new Promise<void>((resolve) => (allFlushed = resolve));
  const answers = Promise.all(Array.from({ length: 20 }, () => post(FORM, { cookie: admin.cookie }, body, { hold, held: () => ++flushed === 20 && allFlushed() })));
  await allSent;
  // Let the server read what was sent: 20 × 10 MB, less the last KB of each.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const kept = keptBuffers() - start;
  release();
  expect((await answers).map((a) => a.status)).toEqual(Array(20).fill(403));
  expect((await answers)[0].body).toMatch(/Form refused/);
  expect(kept).toBeLessThan(32 * 1024 * 1024);
  expect(await storeHeads(store)).toBe(before);
});

it("the admin's own form still uploads", async () => {
  const admin = await signIn('admin@gate.example');
  const answer = await post(FORM, { cookie: admin.cookie }, multipart(fields(admin.csrf), await certificatePdf(), 'quinn-basic.pdf'));
  expect(answer.status).toBe(303);
  expect(answer.headers.location).toBe('/officers/o-1');
});

it("the API's upload: no token (401) or a role that may not write (403) is answered before the body is sent", async () => {
  const path = `/api/agencies/${AGENCY}/officers/o-1/trainings/t-1/certificate`;
  const body = multipart({ filedOn: '2025-08-25' }, TEN_MB);
  const anonymous = await post(path, {}, body, { stopAfter: 256 * 1024 });
  expect([anonymous.status, anonymous.sent <= 256 * 1024]).toEqual([401, true]);
  const chief = await post(path, { authorization: `Bearer ${tokens.chief}` }, body, { stopAfter: 256 * 1024 });
  expect([chief.status, chief.sent <= 256 * 1024]).toEqual([403, true]);
});
