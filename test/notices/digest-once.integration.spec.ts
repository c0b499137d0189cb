/**
 * Exactly once per person and Minnesota day (docs/decisions.md W49), on one PostgreSQL database
 * shared by two servers: with both schedules running, only the leading server sends; both
 * digests run at once by hand still send one message (the claim in the processors' store); a
 * claim left by a send interrupted between SMTP and the append is recorded as
 * ReminderNoticeFailed ("may have been delivered") and never sent again.
 */
import { agencyStream } from '../../events/streams';
import { AccessRegistry } from '../../src/auth/access-registry';
import { PROCESSOR_STORE } from '../../src/processors/processor-providers';
import { ProcessorRunner } from '../../src/processors/processor-runner';
import type { ProcessorStore } from '../../src/processors/processor-store.port';
import { noticeIdFor } from '../../src/notices/notice-ids';
import { DIGEST_PROCESSOR } from '../../src/notices/notice-digest.service';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { AGENCY, startNoticeServer, type NoticeServer } from './notice-harness';

const chiefOf = async (server: NoticeServer) => (await server.app.get(AccessRegistry).accountsOf(AGENCY)).find((a) => a.role === 'chief')!;

describeWithPostgres('two servers on one PostgreSQL database', () => {
  let database: TestDatabase;
  let smtp: TestSmtp;
  let one: NoticeServer;
  let two: NoticeServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    smtp = await startSmtp();
    // Both schedules look at the clock every 100 ms and find the digest due (00:00).
    const notices = { digestTime: '00:00', checkEveryMs: 100, rerunEveryMs: 300 };
    one = await startNoticeServer({ smtpUrl: smtp.url, storeUrl: database.url, notices });
    two = await startNoticeServer({ smtpUrl: smtp.url, storeUrl: database.url, notices, seed: false, keyFile: one.keyFile });
  }, 60_000);
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await smtp?.close();
    await database?.drop();
  });

  const sent = async () => (await one.store.readStream(agencyStream(AGENCY))).filter((e) => e.type === 'ReminderNoticeSent');

  it('the schedules of both servers send the day’s digest once', async () => {
    const deadline = Date.now() + 15_000;
    while (smtp.messages.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    // Both schedules keep looking for a while longer.
    await new Promise((r) => setTimeout(r, 1500));
    expect(smtp.messages).toHaveLength(1);
    expect(await sent()).toHaveLength(1);
  }, 30_000);

  it('two digests run at the same moment on both servers send one message', async () => {
    // The schedules stop here: the digests below are run by hand.
    for (const server of [one, two]) {
      server.app.get(ProcessorRunner).unregister(DIGEST_PROCESSOR);
      await server.app.get(ProcessorRunner).settled();
    }
    one.clock.set('2026-12-11'); // 30 days left: news
    two.clock.set('2026-12-11');
    const reports = await Promise.all([one.digest.runAgency(AGENCY), two.digest.runAgency(AGENCY)]);
    const outcomes = reports.flatMap((r) => r.recipients.map((x) => x.outcome)).sort();
    expect(outcomes).toEqual(['SENT', 'SKIPPED']);
    expect(smtp.messages).toHaveLength(2);
    expect(await sent()).toHaveLength(2);
  }, 30_000);

  it('a send interrupted between SMTP and the append is recorded as failed, never sent again', async () => {
    const chief = await chiefOf(one);
    const noticeDay = '2026-12-27'; // 14 days left: news
    const noticeId = noticeIdFor(AGENCY, chief.userId, noticeDay);
    const processorStore = one.app.get<ProcessorStore>(PROCESSOR_STORE);
    // A claim of a crashed attempt two hours ago, with no outcome recorded.
    await processorStore.claim(DIGEST_PROCESSOR, noticeId, 'a server that stopped', Date.now() - 2 * 3_600_000);
    one.clock.set(noticeDay);
    const report = await one.digest.runAgency(AGENCY);
    expect(report.recipients).toEqual([expect.objectContaining({ outcome: 'FAILED', error: expect.stringContaining('may have been delivered') })]);
    expect(smtp.messages).toHaveLength(2);
    expect((await two.digest.runAgency(AGENCY, new Date(`${noticeDay}T20:00:00Z`))).recipients).toEqual([expect.objectContaining({ outcome: 'SKIPPED', reason: 'already told today' })]);
    expect(smtp.messages).toHaveLength(2);
  }, 30_000);

  it('a fresh claim of another attempt is left to it', async () => {
    const chief = await chiefOf(one);
    const noticeDay = '2027-01-03'; // 7 days left
    await one.app.get<ProcessorStore>(PROCESSOR_STORE).claim(DIGEST_PROCESSOR, noticeIdFor(AGENCY, chief.userId, noticeDay), 'another server, sending now', Date.now());
    one.clock.set(noticeDay);
    expect((await one.digest.runAgency(AGENCY)).recipients).toEqual([expect.objectContaining({ outcome: 'SKIPPED', reason: 'being sent by another attempt' })]);
    expect(smtp.messages).toHaveLength(2);
  });
});
