/**
 * consoleDashboardMs: the web console's dashboard (GET /, the agency's officers, first
 * page, as a signed-in chief sees it) over real HTTP with a real session, for the bench's largest
 * agency. The account is made and signed in through the same paths a person uses (an invitation,
 * the password set through its link, the sign-in form). The first view after the data changed
 * evaluates the whole agency (`coldMs`); later views until the next change are answered from the
 * report that knew every event (`ms`, the median).
 */
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import { Accounts } from '../src/auth/accounts';
import { CorrectOfficerDetailsCommand, type CorrectOfficerDetailsDto } from '../src/officers/correct-officer-details';
import { officerId } from './generate';

const PASSWORD = 'bench dashboard passphrase';

function cookieFrom(response: Response): string {
  const set = response.headers.getSetCookie().find((c) => c.startsWith('sro_session='));
  if (!set) throw new Error('no session cookie');
  return set.split(';')[0];
}

export async function measureConsoleDashboard(
  app: INestApplication,
  agencyId: string,
  runs = 11,
): Promise<{ ms: number; coldMs: number; afterWriteMs: number; bytes: number; importPreviewMs: number }> {
  if (!app.getHttpServer().listening) await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  const accounts = app.get(Accounts);
  const email = `bench-${randomUUID()}@bench.example`;
  const invitation = await accounts.invite({ agencyId, role: 'admin', email, name: 'Bench Clerk' }, 'bench');
  await accounts.setPassword(invitation.secret, PASSWORD, PASSWORD);

  const form = await fetch(`${base}/sign-in`);
  const anonymous = cookieFrom(form);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1];
  const signedIn = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: anonymous, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, email, password: PASSWORD, next: '/' }),
  });
  if (signedIn.status !== 303) throw new Error(`sign-in answered ${signedIn.status}`);
  const session = cookieFrom(signedIn);

  const view = async (): Promise<{ ms: number; bytes: number }> => {
    const start = process.hrtime.bigint();
    const res = await fetch(`${base}/`, { headers: { cookie: session } });
    const body = await res.text();
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (res.status !== 200 || !body.includes('data-officer-id=')) throw new Error(`the dashboard answered ${res.status}`);
    return { ms: elapsed, bytes: body.length };
  };
  const cold = await view();
  const times: number[] = [];
  let bytes = cold.bytes;
  for (let i = 0; i < runs; i++) {
    const v = await view();
    times.push(v.ms);
    bytes = v.bytes;
  }
  times.sort((a, b) => a - b);

  // A view after each of 5 writes (a correction of one officer's name, through the CommandBus as
  // the console's form sends it): the cached report refreshes the officer written, not the agency.
  const afterWrite: number[] = [];
  for (let i = 0; i < 5; i++) {
    await app.get(CommandBus).execute(
      new CorrectOfficerDetailsCommand({ agencyId, recordedBy: 'bench', correlationId: randomUUID() }, officerId(1 + i), { name: `Bench Renamed ${i}`, reason: 'bench' } as CorrectOfficerDetailsDto),
    );
    afterWrite.push((await view()).ms);
  }
  afterWrite.sort((a, b) => a - b);

  // The CSV import's check (docs/reference.md#post-importcheck): a 5,000-row file (new officers),
  // uploaded and checked row by row as the writes would be, nothing recorded; the median of 3.
  const csv = ['command,officerId,name,licenseNumber', ...Array.from({ length: 5000 }, (_, i) => `RegisterOfficer,imp-${i + 1},Imported Officer ${i + 1},L-${i + 1}`)].join('\r\n') + '\r\n';
  const previews: number[] = [];
  for (let i = 0; i < 3; i++) {
    const page = await fetch(`${base}/import`, { headers: { cookie: session } });
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
    const form = new FormData();
    form.set('_csrf', token);
    form.set('file', new Blob([csv], { type: 'text/csv' }), 'officers.csv');
    const start = process.hrtime.bigint();
    const res = await fetch(`${base}/import/check`, { method: 'POST', headers: { cookie: session }, body: form });
    const body = await res.text();
    previews.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (res.status !== 200 || !body.includes('data-import="ready"')) throw new Error(`the import check answered ${res.status}`);
  }
  previews.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], coldMs: cold.ms, afterWriteMs: afterWrite[2], bytes, importPreviewMs: previews[1] };
}
