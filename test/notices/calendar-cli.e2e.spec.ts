/**
 * The calendar feed over HTTP and the commands (docs/reference.md "Calendar feed", "Command
 * line"): `user calendar` prints the address on its last line; the feed, fetched by HTTP, parses
 * with node-ical and holds the reminders page's due dates as all-day events with stable UIDs; each
 * fetch is in the access log; `--replace` makes the old address a 404. `notify --agency` sends the
 * day's digest to a real SMTP server once, and nothing on a second run.
 */
import type { AddressInfo } from 'node:net';
import ical from 'node-ical';
import { Accounts } from '../../src/auth/accounts';
import { runMain } from '../support/cli-in-process';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { AGENCY, startNoticeServer, type NoticeServer } from './notice-harness';

let server: NoticeServer;
let smtp: TestSmtp;
let base: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  smtp = await startSmtp();
  // The server's own digest has no SMTP server: only the CLI's notify sends here.
  server = await startNoticeServer({ publicUrl: 'http://127.0.0.1:1' });
  await server.app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(server.app.getHttpServer().address() as AddressInfo).port}`;
  env = { ...process.env, SRO_STORE: server.storeUrl, SRO_KEY_FILE: server.keyFile, SRO_PUBLIC_URL: base, SRO_SMTP_URL: smtp.url, SRO_MAIL_FROM: 'sro@lakeville.example.gov' };
}, 60_000);
afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

const calendarOf = async (email = 'chief@lakeville.example.gov', replace = false) => {
  const run = await runMain(env, 'user', 'calendar', '--agency', AGENCY, '--email', email, ...(replace ? ['--replace'] : []));
  expect(run).toMatchObject({ status: 0 });
  return run.stdout.trim().split('\n').at(-1)!;
};

describe('the calendar feed', () => {
  let url: string;

  it('user calendar prints the address on its last line, the same on a second run', async () => {
    url = await calendarOf();
    expect(url).toMatch(new RegExp(`^${base}/calendar/[A-Za-z0-9_-]{40,}\\.ics$`));
    expect(await calendarOf()).toBe(url);
  });

  it('fetched over HTTP, parses as iCalendar with the reminders page’s due dates as all-day events', async () => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/calendar/);
    const body = await res.text();
    expect(body).toContain('DTSTART;VALUE=DATE:20270110');
    const events = Object.values(ical.sync.parseICS(body)).filter((c) => c?.type === 'VEVENT') as ical.VEvent[];
    const reminders = await server.http().get(`/api/agencies/${AGENCY}/reminders?horizonDays=365`).set('Authorization', `Bearer ${server.tokens.chief}`);
    const due = (reminders.body.items as { dueDate: string }[]).map((i) => i.dueDate).sort();
    expect(due.length).toBeGreaterThan(0);
    const dates = events.map((e) => {
      const d = e.start as Date & { dateOnly?: boolean };
      expect(d.dateOnly).toBe(true);
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    });
    expect(dates.sort()).toEqual(due);
    const refresher = events.find((e) => String(e.summary).includes('Jordan Doe'))!;
    expect(String(refresher.summary)).toContain('refresher');
    expect(String(refresher.description)).toContain('policy "Training"');
    expect(String(refresher.description)).toContain('/officers/jdoe');
    // The same UIDs on the next fetch: a calendar application updates, never duplicates.
    const again = Object.values(ical.sync.parseICS(await (await fetch(url)).text())).filter((c) => c?.type === 'VEVENT') as ical.VEvent[];
    expect(again.map((e) => e.uid).sort()).toEqual(events.map((e) => e.uid).sort());
  });

  it('each fetch is an officer-data read of its owner in the access log', async () => {
    const log = await server.http().get(`/api/agencies/${AGENCY}/access-log`).set('Authorization', `Bearer ${server.tokens.admin}`);
    const reads = (log.body.entries as { route: string; format: string; principal: { name: string } }[]).filter((e) => e.route === 'GET /calendar/:secret.ics');
    expect(reads.length).toBeGreaterThanOrEqual(2);
    expect(reads[0]).toMatchObject({ format: 'ics', principal: { kind: 'person', name: 'Casey Chief', role: 'chief' } });
  });

  it('--replace issues a new address; the old one answers 404, as an unknown one does', async () => {
    const fresh = await calendarOf('chief@lakeville.example.gov', true);
    expect(fresh).not.toBe(url);
    expect((await fetch(url)).status).toBe(404);
    expect((await fetch(fresh)).status).toBe(200);
    expect((await fetch(`${base}/calendar/${'x'.repeat(43)}.ics`)).status).toBe(404);
  });

  it('every person has one: an auditor’s feed answers too', async () => {
    await server.app.get(Accounts).invite({ agencyId: AGENCY, role: 'auditor', email: 'auditor@lakeville.example.gov', name: 'Ari Auditor' }, 'test-setup');
    const res = await fetch(await calendarOf('auditor@lakeville.example.gov'));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('DTSTART;VALUE=DATE:20270110');
  });

  it('an address nobody has is refused without a session cookie', async () => {
    const res = await fetch(`${base}/calendar/nothing.ics`);
    expect(res.status).toBe(404);
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});

describe('notify --agency', () => {
  it('sends today’s digest to the chief once; a second run the same day sends nothing', async () => {
    const first = await runMain(env, 'notify', '--agency', AGENCY);
    expect(first.status).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report.recipients).toEqual([expect.objectContaining({ email: 'chief@lakeville.example.gov', outcome: 'SENT' })]);
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0].text).toContain(`${base}/notices/${report.recipients[0].noticeId}`);
    const second = await runMain(env, 'notify', '--agency', AGENCY);
    expect(second.status).toBe(0);
    expect(JSON.parse(second.stdout).recipients).toEqual([expect.objectContaining({ outcome: 'SKIPPED', reason: 'already told today' })]);
    expect(smtp.messages).toHaveLength(1);
  }, 60_000);

  it('an unknown agency is a usage mistake (exit 2) naming it, as for the other commands', async () => {
    const run = await runMain(env, 'notify', '--agency', 'nowhere');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('agency nowhere is not registered');
  });
});
