/**
 * The console's CSV import over real HTTP (no browser needed), with the files Excel writes
 * (decisions W34): "CSV (Comma delimited)" (Windows-1252) and "Unicode text" (UTF-16 LE with a
 * byte-order mark, tab-separated) are checked saying how they were read, and commit the names as
 * written; a file that is neither is refused with the clerk's sentence and records nothing. And US
 * dates (src/common/dates.ts): `9/2/2025` in a record form's date field, several `10/6/2025` in
 * the substitute days, `10/1/2025` in As of and `12/6/2026 3:50 PM` in Known at.
 */
import type { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import iconv from 'iconv-lite';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { officerStream } from '../../events/streams';
import { RegisterAgencyCommand } from '../../src/agencies/register-agency';
import { Accounts } from '../../src/auth/accounts';
import { instantFromText } from '../../src/common/dates';
import { instantInWords } from '../../src/console/time-words';
import { createHttpApp } from '../../src/http/create-http-app';
import { EVENT_STORE, type EventStore } from '../../src/store/event-store.port';

const PASSWORD = 'lilac tractor mustard canyon';
const AGENCY = 'enc-pd';

let app: INestApplication;
let base: string;
let dir: string;
let cookie = '';

const rows = (delimiter: string, ...extra: string[][]) =>
  [['command', 'officerId', 'name'], ['RegisterOfficer', 'asa', 'Åsa Ödegård'], ['RegisterOfficer', 'jose', 'José Peña'], ...extra].map((r) => r.join(delimiter)).join('\r\n') + '\r\n';

async function request(path: string, init: RequestInit = {}): Promise<{ status: number; body: string; location?: string }> {
  const res = await fetch(`${base}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), cookie }, redirect: 'manual' });
  const set = res.headers.getSetCookie().find((c) => c.startsWith('sro_session='));
  if (set) cookie = set.split(';')[0];
  return { status: res.status, body: await res.text(), location: res.headers.get('location') ?? undefined };
}

/** A POST answered by post/redirect/get: the 303 to `to`, then the page that GET answers. */
async function redirectedTo(to: string | RegExp, answer: { status: number; location?: string }): Promise<{ status: number; body: string; location?: string }> {
  expect({ status: answer.status, location: answer.location }).toEqual({ status: 303, location: typeof to === 'string' ? to : expect.stringMatching(to) });
  return request(answer.location!);
}

const csrfOf = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)![1];
const text = (html: string): string => html.replace(/<[^>]+>/g, '').replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');

/** Uploads a file on /import (the form's own fields) and returns its answer (a product-format file is redirected to /import/review; a refused file is answered at once). */
async function check(name: string, bytes: Buffer): Promise<{ status: number; body: string }> {
  const csrf = csrfOf((await request('/import')).body);
  const form = new FormData();
  form.set('_csrf', csrf);
  form.set('kind', 'trainings');
  form.set('file', new Blob([new Uint8Array(bytes)], { type: 'text/csv' }), name);
  return request('/import/check', { method: 'POST', body: form });
}

/** Commits the file checked on `page`: answered 303 to /import/committed, whose page is returned. */
async function commit(page: string): Promise<{ status: number; body: string }> {
  const importId = /name="importId" value="([^"]+)"/.exec(page)![1];
  return redirectedTo('/import/committed', await request('/import/commit', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrfOf(page), importId }) }));
}

async function recordedName(officerId: string): Promise<string | undefined> {
  const events = await app.get<EventStore>(EVENT_STORE).readStream(officerStream(AGENCY, officerId));
  return (events.find((e) => e.type === 'OfficerRegistered')?.data as { name?: string } | undefined)?.name;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sro-console-enc-'));
  app = await createHttpApp({ store: `sqlite:${join(dir, 'sro.db')}`, logger: false, ledger: { keyFile: join(dir, 'key.pem') } });
  await app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  await app.get(CommandBus).execute(new RegisterAgencyCommand({ agencyId: AGENCY, recordedBy: 'test', correlationId: randomUUID() }, 'Encodings PD'));
  const accounts = app.get(Accounts);
  const invitation = await accounts.invite({ agencyId: AGENCY, role: 'admin', email: 'clerk@enc.example.gov', name: 'Clerk' }, 'test');
  await accounts.setPassword(invitation.secret, PASSWORD, PASSWORD);
  const signIn = await request('/sign-in');
  const signedIn = await request('/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrfOf(signIn.body), email: 'clerk@enc.example.gov', password: PASSWORD, next: '/' }),
  });
  expect(signedIn.status).toBe(303);
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the console’s CSV import reads the files Excel writes', () => {
  it('a refused file (bytes neither UTF-8 nor Windows-1252) is a 400 with the clerk’s sentence, and records nothing', async () => {
    const bad = Buffer.concat([iconv.encode(rows(','), 'windows-1252'), Buffer.from('RegisterOfficer,bad,B'), Buffer.from([0x81, 0x8d]), Buffer.from('rn\r\n')]);
    const page = await check('roster.csv', bad);
    expect(page.status).toBe(400);
    expect(text(page.body)).toContain('File: Line 4 of the file holds “\ufffd”, the mark a program leaves where it could not read a letter');
    expect(text(page.body)).toContain('Save As → “CSV UTF-8 (Comma delimited)”, then import that file. Nothing was recorded.');
    expect(page.body).not.toContain('importId');
    expect(await recordedName('asa')).toBeUndefined();
    expect(await recordedName('bad')).toBeUndefined();
  });

  it('Excel "CSV (Comma delimited)" (Windows-1252): the check says so; the commit records "Åsa Ödegård" and "José Peña"', async () => {
    const page = await redirectedTo('/import/review', await check('roster.csv', iconv.encode(rows(','), 'windows-1252')));
    expect(page.status).toBe(200);
    const words = text(page.body);
    expect(words).toContain('roster.csv was read as Windows-1252 (Excel’s “CSV (Comma delimited)” on Windows), comma-separated.');
    expect(words).toContain('All 2 rows can be recorded');
    expect(words).toContain('Åsa Ödegård');
    expect(words).not.toContain('\ufffd');
    const done = await commit(page.body);
    expect(done.status).toBe(200);
    expect(text(done.body)).toContain('Recorded 2 records from 2 rows');
    expect(await recordedName('asa')).toBe('Åsa Ödegård');
    expect(await recordedName('jose')).toBe('José Peña');
  });

  it('Excel "Unicode text" (UTF-16 LE with a BOM, tab-separated): read, and committed with the names as written', async () => {
    const unicode = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(rows('\t', ['RegisterOfficer', 'sean', 'Seán Ó Briain']), 'utf-16le')]);
    const page = await redirectedTo('/import/review', await check('roster.txt', unicode));
    expect(page.status).toBe(200);
    const words = text(page.body);
    expect(words).toContain('roster.txt was read as UTF-16 little-endian (Excel’s “Unicode text”), tab-separated.');
    // Åsa and José are recorded already (the Windows-1252 file): skipped, as the same rows again.
    expect(words).toContain('All 3 rows can be recorded: 1 new record, 2 already recorded (skipped)');
    expect((await commit(page.body)).status).toBe(200);
    expect(await recordedName('sean')).toBe('Seán Ó Briain');
  });
});

/** Opens a record form (redirected to its address with a new `?key=`) and submits it: the POST's answer (303 either way, post/redirect/get). */
async function recordForm(path: string, fields: Record<string, string>): Promise<{ status: number; body: string; location?: string; formAt: string }> {
  const opened = await request(path);
  const form = await redirectedTo(new RegExp(`^${path}\\?key=[0-9a-f-]{36}$`), opened);
  expect(form.status).toBe(200);
  const posted = await request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrfOf(form.body), idempotencyKey: /name="idempotencyKey" value="([^"]+)"/.exec(form.body)![1], ...fields }),
  });
  return { ...posted, formAt: opened.location! };
}

async function recorded(officerId: string, type: string): Promise<unknown[]> {
  const events = await app.get<EventStore>(EVENT_STORE).readStream(officerStream(AGENCY, officerId));
  return events.filter((e) => e.type === type).map((e) => e.data);
}

describe('US dates in the console’s forms and fields', () => {
  const FORMS = 'Enter the date as YYYY-MM-DD or M/D/YYYY, e.g. 2025-08-12 or 8/12/2025';

  it('a record form: "13/2/2025" is refused beside its field naming both forms and records nothing; "9/2/2025" is recorded as 2025-09-02', async () => {
    const posted = await recordForm('/officers/asa/records/assign', { assignmentId: 'hs-2025', schools: 'Central High School', startDate: '13/2/2025' });
    // A refusal returns to the form, which shows what was typed and the messages with the refusal's status.
    const refused = await redirectedTo(posted.formAt, posted);
    expect(refused.status).toBe(400);
    expect(text(refused.body)).toContain(`startDate must be a real calendar date ("13/2/2025" is not). ${FORMS}`);
    expect(text(refused.body)).not.toContain('in the form YYYY-MM-DD');
    expect(await recorded('asa', 'OfficerAssigned')).toEqual([]);
    const done = await recordForm('/officers/asa/records/assign', { assignmentId: 'hs-2025', schools: 'Central High School', startDate: '9/2/2025' });
    expect(done.status).toBe(303);
    expect(await recorded('asa', 'OfficerAssigned')).toEqual([expect.objectContaining({ assignmentId: 'hs-2025', startDate: '2025-09-02' })]);
  });

  it('substitute days: one date a line in either form; one that is neither refuses them all, naming it', async () => {
    const posted = await recordForm('/officers/jose/records/substitute-day', { dates: '10/6/2025\n10/7/25', school: 'Central High School' });
    const refused = await redirectedTo(posted.formAt, posted);
    expect(refused.status).toBe(400);
    expect(text(refused.body)).toContain(`dates must be a real calendar date with a four-digit year ("10/7/25" has two). ${FORMS}`);
    expect(await recorded('jose', 'SubstituteDayServed')).toEqual([]);
    const done = await recordForm('/officers/jose/records/substitute-day', { dates: '10/6/2025\n2025-10-07\n10/07/2025', school: 'Central High School' });
    expect(done.status).toBe(303);
    expect((await recorded('jose', 'SubstituteDayServed')).map((d) => (d as { date: string }).date)).toEqual(['2025-10-06', '2025-10-07']);
  });

  it('As of 10/1/2025 and Known at as M/D/YYYY h:mm:ss AM/PM (Minnesota time) are read, and the sentence says both; a date that is neither is named', async () => {
    // Known at: this very second, in Minnesota, as a US clock shows it (after the officer's registration).
    await new Promise((r) => setTimeout(r, 1100));
    const second = new Date(Math.floor(Date.now() / 1000) * 1000);
    const p = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', { timeZone: 'America/Chicago', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit', hour12: true })
        .formatToParts(second)
        .map((x) => [x.type, x.value]),
    );
    const typed = `${p.month}/${p.day}/${p.year} ${p.hour}:${p.minute}:${p.second} ${p.dayPeriod}`;
    expect(instantFromText(typed)).toBe(second.toISOString());
    const page = await request(`/officers/asa?asOf=${encodeURIComponent('10/1/2025')}&knownAt=${encodeURIComponent(typed)}`);
    expect(page.status).toBe(200);
    expect(text(page.body)).toContain(`Status on 1 October 2025, as the records stood at ${instantInWords(second.toISOString(), { seconds: true })}.`);
    expect(await recorded('asa', 'OfficerAssigned')).toHaveLength(1);
    const wrong = await request(`/officers/asa?asOf=${encodeURIComponent('10/32/2025')}&knownAt=${encodeURIComponent('12/6/2026 13:50 PM')}`);
    expect(text(wrong.body)).toContain(`As of: "10/32/2025" is not a calendar date. ${FORMS}; showing today instead`);
    expect(text(wrong.body)).toContain('Known at: "12/6/2026 13:50 PM" is not a time; write Minnesota time as 2026-03-01 17:00 or 3/1/2026 5:00 PM, or an ISO instant; showing now instead');
  });
});

describe('US dates in the access log’s From and To', () => {
  it('From 1/1/2025 and To 12/31/2099 11:59 PM are read; "31/12/2099" is named with the forms it takes', async () => {
    const page = await request(`/access-log?from=${encodeURIComponent('1/1/2025')}&to=${encodeURIComponent('12/31/2099 11:59 PM')}`);
    expect(page.status).toBe(200);
    const wrong = await request(`/access-log?from=${encodeURIComponent('31/12/2099')}`);
    expect(wrong.status).toBe(400);
    expect(text(wrong.body)).toContain('From: an ISO instant with a time zone, e.g. 2026-03-01T00:00:00-06:00, or Minnesota time as 3/1/2026 8:00 AM or 2026-03-01 08:00; a date alone is the start of that day');
  });
});

describe('the console’s CSV downloads start with the UTF-8 byte-order mark (Excel on Windows reads "Åsa Ödegård" right)', () => {
  async function bytesOf(path: string): Promise<{ type: string | null; bytes: Buffer }> {
    const res = await fetch(`${base}${path}`, { headers: { cookie } });
    expect(res.status).toBe(200);
    return { type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
  }

  it('the dashboard’s CSV and the import templates', async () => {
    const dashboard = await bytesOf('/?format=csv');
    expect(dashboard.type).toMatch(/^text\/csv/);
    expect(dashboard.bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(dashboard.bytes.toString('utf8')).toContain('asa,Åsa Ödegård,');
    for (const kind of ['trainings', 'substitute-days', 'assignments']) {
      const template = await bytesOf(`/import/templates/${kind}.csv`);
      expect(template.bytes.subarray(0, 4)).toEqual(Buffer.from([0xef, 0xbb, 0xbf, 0x63])); // the mark, then "command"
    }
  });
});
