/**
 * The console's forms under a fuzzer: every POST page of the console (consoleRoutes) gets
 * generated form bodies from a signed-in admin with a valid CSRF token (so they reach the page
 * itself): odd keys, repeated keys (which body parsers turn into arrays), control characters,
 * very long values, unknown forms and officers in the path. None may answer 5xx, and none may
 * record anything unless it was a well-formed write.
 */
import type { INestApplication } from '@nestjs/common';
import { RequestMethod } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegisterAgencyCommand } from '../../src/agencies/register-agency';
import { Accounts } from '../../src/auth/accounts';
import { consoleRoutes } from '../../src/console';
import { createHttpApp } from '../../src/http/create-http-app';

let app: INestApplication;
let base: string;
let dir: string;
let cookie = '';
let csrf = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sro-console-fuzz-'));
  app = await createHttpApp({ store: `sqlite:${join(dir, 'sro.db')}`, logger: false, ledger: { keyFile: join(dir, 'key.pem') } });
  await app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  await app.get(CommandBus).execute(new RegisterAgencyCommand({ agencyId: 'fz', recordedBy: 'test', correlationId: randomUUID() }, 'Fuzz PD'));
  const accounts = app.get(Accounts);
  const invitation = await accounts.invite({ agencyId: 'fz', role: 'admin', email: 'fuzz@fz.example.gov', name: 'Fuzz Admin' }, 'test');
  await accounts.setPassword(invitation.secret, 'fuzzing all the forms', 'fuzzing all the forms');
  const form = await fetch(`${base}/sign-in`);
  cookie = form.headers.getSetCookie()[0].split(';')[0];
  csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1];
  const signed = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, email: 'fuzz@fz.example.gov', password: 'fuzzing all the forms' }),
  });
  cookie = signed.headers.getSetCookie()[0].split(';')[0];
  const page = await fetch(`${base}/`, { headers: { cookie } });
  csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const FORMS = ['register-officer', 'adopt-policy', 'record-contract', 'assign', 'training', 'substitute-day', 'retract', 'correct', 'separate', 'no-such-form', '__proto__'];
const KEYS = ['_csrf', 'officerId', 'name', 'schools', 'startDate', 'dates', 'dates.pick', 'action', 'clauses.attire', 'course', 'eventId', 'reason', 'importId', 'kind', 'email', 'role', 'token', 'password', 'confirm', 'next', '__proto__', 'constructor', 'idempotencyKey', 'column.officerId', 'course.0', 'checkpoint'];
const value = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom('', ' ', '2026-02-30', '2026-03-01', '\u0000', '\u202e', 'a'.repeat(5000), '%00', '../../etc', 'o-1', 'MN_SRO_BASIC', 'add', 'reset', 'disable', '{"a":1}'),
);

it('answers every generated form below 500, on every POST page of the console', async () => {
  // Not sign-out (it would end the fuzzer's session) nor sign-in (its failures are slowed on purpose).
  const posts = consoleRoutes()
    .filter((r) => r.method === RequestMethod.POST && r.path !== '/sign-out' && r.path !== '/sign-in')
    .map((r) => r.path);
  expect(posts.length).toBeGreaterThanOrEqual(10);
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...posts),
      fc.constantFrom(...FORMS),
      fc.array(fc.tuple(fc.constantFrom(...KEYS), value), { maxLength: 8 }),
      async (route, form, pairs) => {
        const path = route.replace(':officerId', 'o-1').replace(':form', encodeURIComponent(form));
        const body = new URLSearchParams([['_csrf', csrf], ...pairs]);
        const res = await fetch(`${base}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body });
        await res.arrayBuffer();
        return res.status < 500;
      },
    ),
    { numRuns: 300, examples: [], seed: 20261201, endOnFailure: true },
  );
}, 120_000);
