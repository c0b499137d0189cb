/**
 * The daily digest against a real SMTP server (docs/reference.md "Reminders by e-mail"): the
 * message as received (subject, both parts, items, links), its proof in the agency's stream and
 * through GET .../notices, not re-told the next day, told again at 30/14/7/1/0 days left and when
 * overdue; a server that refuses then recovers (retried, then sent), one that refuses throughout
 * (ReminderNoticeFailed with the attempts and the error).
 */
import { CommandBus } from '@nestjs/cqrs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { agencyStream } from '../../events/streams';
import { RegisterAgencyCommand } from '../../src/agencies/register-agency';
import { AccessRegistry } from '../../src/auth/access-registry';
import { Accounts } from '../../src/auth/accounts';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { AGENCY, REFRESHER_DUE, startNoticeServer, type NoticeServer } from './notice-harness';
import { addDays } from '../../projections/dates';

let smtp: TestSmtp;
let server: NoticeServer;

beforeAll(async () => {
  smtp = await startSmtp();
  server = await startNoticeServer({ smtpUrl: smtp.url });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

const notify = async (day: string) => {
  server.clock.set(day);
  return server.digest.runAgency(AGENCY);
};
const noticeEvents = async () => (await server.store.readStream(agencyStream(AGENCY))).filter((e) => e.type.startsWith('ReminderNotice'));

describe('the daily digest by e-mail', () => {
  it('sends the chief (the agency has no admin account) one message with the item, its links and the counts', async () => {
    const report = await notify('2026-12-07');
    expect(report.recipients).toEqual([expect.objectContaining({ email: 'chief@lakeville.example.gov', outcome: 'SENT', items: 1 })]);
    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0];
    // The message as received, to read it as a chief would (test-results/ is not committed).
    mkdirSync('test-results', { recursive: true });
    writeFileSync('test-results/digest-message.txt', `Subject: ${mail.subject}\n\n${mail.text}\n\n--- HTML part ---\n${mail.html || ''}`);
    expect(mail.subject).toBe('SRO compliance reminders for Lakeville Police Department: 0 overdue, 1 due within 60 days');
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toContain('chief@lakeville.example.gov');
    expect(mail.text).toContain('Jordan Doe');
    expect(mail.text).toContain('Due 10 January 2027 (2027-01-10): 34 days left');
    expect(mail.text).toContain('Rule: REFRESHER_3_YEARS, policy "Training"');
    expect(mail.text).toContain('http://sro.lakeville.example.gov/officers/jdoe');
    const [event] = await noticeEvents();
    expect(event.type).toBe('ReminderNoticeSent');
    const data = event.data as { noticeId: string; messageId: string; channel: string; recipient: object; items: object[] };
    expect(mail.text).toContain(`http://sro.lakeville.example.gov/notices/${data.noticeId}`);
    expect(mail.html).toContain(`href="http://sro.lakeville.example.gov/notices/${data.noticeId}"`);
    expect(mail.html).toContain('34 days left');
    expect(mail.html).not.toContain('<img');
    expect(mail.messageId).toBe(data.messageId);
    expect(data).toMatchObject({
      channel: 'email',
      recipient: { email: 'chief@lakeville.example.gov', name: 'Casey Chief', role: 'chief' },
      items: [{ officerId: 'jdoe', rule: 'REFRESHER_3_YEARS', dueDate: REFRESHER_DUE, daysLeft: 34 }],
    });

    const res = await server.http().get(`/api/agencies/${AGENCY}/notices?officerId=jdoe`).set('Authorization', `Bearer ${server.tokens.investigator}`);
    expect(res.status).toBe(200);
    expect(res.body.notices).toEqual([
      expect.objectContaining({ eventId: event.eventId, recordedAt: event.recordedAt, type: 'SENT', noticeId: data.noticeId, messageId: data.messageId, recipient: data.recipient, items: data.items }),
    ]);
    // Reading the proof of notice is a read of officer data, in the access log.
    const log = await server.http().get(`/api/agencies/${AGENCY}/access-log?officerId=jdoe`).set('Authorization', `Bearer ${server.tokens.admin}`);
    expect(log.body.entries).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'notices', officerId: 'jdoe', officerCount: 1, route: 'GET /api/agencies/:agencyId/notices', principal: expect.objectContaining({ role: 'investigator' }) })]));
    const other = await server.http().get(`/api/agencies/${AGENCY}/notices?officerId=someone-else`).set('Authorization', `Bearer ${server.tokens.auditor}`);
    expect(other.body.notices).toEqual([]);

    // The investigator's history of the officer (its timeline, and "what changed") holds the notice; another officer's does not.
    const history = await server.http().get(`/api/agencies/${AGENCY}/officers/jdoe/history`).set('Authorization', `Bearer ${server.tokens.investigator}`);
    expect(history.body.events.filter((e: { type: string }) => e.type === 'ReminderNoticeSent').map((e: { eventId: string }) => e.eventId)).toEqual([event.eventId]);
    const registered = await server.http().post(`/api/agencies/${AGENCY}/officers`).set('Authorization', `Bearer ${server.tokens.admin}`).send({ officerId: 'kim', name: 'Kim Lee' });
    expect(registered.status).toBe(201);
    const theirs = await server.http().get(`/api/agencies/${AGENCY}/officers/kim/history`).set('Authorization', `Bearer ${server.tokens.investigator}`);
    expect(theirs.body.events.map((e: { type: string }) => e.type)).not.toContain('ReminderNoticeSent');
    const changes = await server.http().get(`/api/agencies/${AGENCY}/officers/jdoe/changes?from=${encodeURIComponent(new Date(Date.parse(event.recordedAt) - 1).toISOString())}`).set('Authorization', `Bearer ${server.tokens.investigator}`);
    expect(changes.body.events.map((e: { type: string }) => e.type)).toContain('ReminderNoticeSent');
  });

  it('sends nothing a second time the same day, and nothing the next day', async () => {
    expect((await notify('2026-12-07')).recipients).toEqual([expect.objectContaining({ outcome: 'SKIPPED', reason: 'already told today' })]);
    expect((await notify('2026-12-08')).recipients).toEqual([expect.objectContaining({ outcome: 'SKIPPED', reason: 'nothing new to tell' })]);
    expect(smtp.messages).toHaveLength(1);
  });

  it('tells again at 30, 14, 7, 1 and 0 days left and when overdue, and nothing between', async () => {
    const told: number[] = [];
    for (let day = '2026-12-09'; day <= '2027-01-12'; day = addDays(day, 1)) {
      const before = smtp.messages.length;
      await notify(day);
      if (smtp.messages.length > before) told.push(Number(/(\d+) days? left|Overdue by (\d+)|Due today/.exec(smtp.messages.at(-1)!.text ?? '')?.slice(1).find(Boolean) ?? 0) * (smtp.messages.at(-1)!.text!.includes('Overdue') ? -1 : 1));
    }
    expect(told).toEqual([30, 14, 7, 1, 0, -1]);
    expect(smtp.messages.at(-1)!.subject).toContain(': 1 overdue, 0 due within 60 days');
    // Monday 2027-01-18: still overdue, told weekly.
    await notify('2027-01-18');
    expect(smtp.messages.at(-1)!.text).toContain('Overdue by 8 days');
  }, 60_000);
});

describe('whose items', () => {
  it('never another agency’s officers, and never a separated officer’s', async () => {
    // Another agency, with an officer on duty untrained (overdue) and its own chief.
    await server.app.get(CommandBus).execute(new RegisterAgencyCommand({ agencyId: 'burnsville-pd', recordedBy: 'test-setup', correlationId: 'b' }, 'Burnsville Police Department'));
    const token = (await server.app.get(AccessRegistry).issue({ agencyId: 'burnsville-pd', role: 'admin', name: 'b-admin', recordedBy: 'test-setup' })).token;
    const post = (path: string, body: object) => server.http().post(`/api/agencies/burnsville-pd${path}`).set('Authorization', `Bearer ${token}`).send(body);
    expect((await post('/officers', { officerId: 'zed', name: 'Zed Other' })).status).toBe(201);
    expect((await post('/officers/zed/assignments', { assignmentId: 'z1', schools: ['Burnsville High'], startDate: '2025-09-02' })).status).toBe(201);
    await server.app.get(Accounts).invite({ agencyId: 'burnsville-pd', role: 'chief', email: 'chief@burnsville.example.gov', name: 'Bo Chief' }, 'test-setup');
    // Jordan Doe leaves the agency.
    const separated = await server.http().post(`/api/agencies/${AGENCY}/officers/jdoe/separation`).set('Authorization', `Bearer ${server.tokens.admin}`).send({ separatedOn: '2026-12-07', reason: 'LEFT_AGENCY' });
    expect(separated.status).toBe(201);
    const before = smtp.messages.length;
    // Monday 2027-01-25: Jordan Doe's refresher would be told weekly while overdue; he is separated.
    expect((await notify('2027-01-25')).recipients).toEqual([expect.objectContaining({ outcome: 'SKIPPED', reason: 'nothing new to tell' })]);
    const other = await server.digest.runAgency('burnsville-pd');
    expect(other.recipients).toEqual([expect.objectContaining({ email: 'chief@burnsville.example.gov', outcome: 'SENT' })]);
    const theirs = smtp.messages.slice(before);
    expect(theirs).toHaveLength(1);
    expect(theirs[0].text).toContain('Zed Other');
    expect(theirs[0].text).not.toContain('Jordan Doe');
  }, 60_000);
});

describe('TLS', () => {
  it('smtp:// takes the STARTTLS the server offers, even with a certificate it cannot check; ?tls=verify refuses that certificate', async () => {
    // The test server offers STARTTLS with smtp-server's own self-signed certificate.
    expect(smtp.messages.length).toBeGreaterThan(0);
    const strict = await startSmtp();
    const s = await startNoticeServer({ smtpUrl: `${strict.url}?tls=verify` });
    try {
      s.clock.set('2026-12-07');
      const report = await s.digest.runAgency(AGENCY);
      expect(report.recipients).toEqual([expect.objectContaining({ outcome: 'FAILED', error: expect.stringMatching(/certificate/i) })]);
      expect(strict.messages).toHaveLength(0);
    } finally {
      await s.close();
      await strict.close();
    }
  }, 60_000);
});

describe('when the mail server refuses', () => {
  it('retries with backoff and records the message once it is accepted', async () => {
    const flaky = await startSmtp({ refuse: 2 });
    const s = await startNoticeServer({ smtpUrl: flaky.url });
    try {
      const report = await (s.clock.set('2026-12-07'), s.digest.runAgency(AGENCY));
      expect(flaky.refused).toBe(2);
      expect(flaky.messages).toHaveLength(1);
      expect(report.recipients).toEqual([expect.objectContaining({ outcome: 'SENT' })]);
    } finally {
      await s.close();
      await flaky.close();
    }
  }, 60_000);

  it('records ReminderNoticeFailed with the attempts and the error when it refuses throughout, and sends nothing again that day', async () => {
    const down = await startSmtp({ refuse: Infinity });
    const s = await startNoticeServer({ smtpUrl: down.url });
    try {
      s.clock.set('2026-12-07');
      await s.digest.runAgency(AGENCY);
      const failed = (await s.store.readStream(agencyStream(AGENCY))).filter((e) => e.type === 'ReminderNoticeFailed');
      expect(failed).toHaveLength(1);
      expect(failed[0].data).toMatchObject({ recipient: { email: 'chief@lakeville.example.gov' }, attempts: 3, error: expect.stringContaining('Mailbox temporarily unavailable') });
      down.recover();
      expect((await s.digest.runAgency(AGENCY)).recipients).toEqual([expect.objectContaining({ outcome: 'SKIPPED', reason: 'already told today' })]);
      expect(down.messages).toHaveLength(0);
      // The next day the person is told (a failed notice told no one).
      s.clock.set('2026-12-08');
      await s.digest.runAgency(AGENCY);
      expect(down.messages).toHaveLength(1);
      const res = await s.http().get(`/api/agencies/${AGENCY}/notices`).set('Authorization', `Bearer ${s.tokens.chief}`);
      expect(res.body.notices.map((n: { type: string }) => n.type)).toEqual(['FAILED', 'SENT']);
      expect(res.body.notices[0]).toMatchObject({ attempts: 3, items: [] });
    } finally {
      await s.close();
      await down.close();
    }
  }, 60_000);
});
