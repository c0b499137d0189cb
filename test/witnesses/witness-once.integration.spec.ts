/**
 * A witness's message is sent once per day with two servers on one PostgreSQL database
 * (docs/decisions.md W70, as the digest's W49): both give the checkpoint at the same moment and
 * each witness receives one message, one WitnessCheckpointSent; a send found claimed long ago
 * without an outcome (a crash between SMTP and the append) is recorded as failed, never sent again.
 */
import { agencyStream } from '../../events/streams';
import { AccessRegistry } from '../../src/auth/access-registry';
import { CheckpointService } from '../../src/ledger/checkpoint-service';
import { PROCESSOR_STORE } from '../../src/processors/processor-providers';
import type { ProcessorStore } from '../../src/processors/processor-store.port';
import { WitnessCheckpoints } from '../../src/witnesses';
import { WITNESS_PROCESSOR } from '../../src/witnesses/witness-checkpoints.service';
import { witnessSendIdFor } from '../../src/witnesses/witness-ids';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { AGENCY, startNoticeServer, type NoticeServer } from '../notices/notice-harness';

const WITNESSES = ['attorney@co.dakota.example.gov', 'dpd@isd194.example.org'];

describeWithPostgres('witnesses with two servers on one PostgreSQL database', () => {
  let database: TestDatabase;
  let smtp: TestSmtp;
  let one: NoticeServer;
  let two: NoticeServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    smtp = await startSmtp();
    // The schedules stay idle: the harness's digest time is 23:59 and its clock is at noon.
    one = await startNoticeServer({ smtpUrl: smtp.url, storeUrl: database.url });
    two = await startNoticeServer({ smtpUrl: smtp.url, storeUrl: database.url, seed: false, keyFile: one.keyFile });
    for (const email of WITNESSES) await one.app.get(AccessRegistry).addWitness({ agencyId: AGENCY, email, name: `Witness ${email}`, recordedBy: 'test-setup' });
    await one.app.get(CheckpointService).issue();
  }, 60_000);
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await smtp?.close();
    await database?.drop();
  });

  const sent = async () => (await one.store.readStream(agencyStream(AGENCY))).filter((e) => e.type.startsWith('WitnessCheckpoint'));

  it('both servers at the same moment: each witness receives one message', async () => {
    const reports = await Promise.all([one, two].map((s) => s.app.get(WitnessCheckpoints).runAgency(AGENCY, one.clock.now)));
    const outcomes = reports.flatMap((r) => r.witnesses.map((w) => `${w.email} ${w.outcome}`)).sort();
    expect(outcomes).toEqual(WITNESSES.flatMap((e) => [`${e} SENT`, `${e} SKIPPED`]).sort());
    expect(smtp.messages).toHaveLength(2);
    expect((await sent()).map((e) => [e.type, (e.data as { email: string }).email]).sort()).toEqual(WITNESSES.map((e) => ['WitnessCheckpointSent', e]).sort());
  }, 30_000);

  it('a send interrupted between SMTP and the append is recorded as failed, never sent again', async () => {
    const res = await one.http().post(`/api/agencies/${AGENCY}/officers`).set('Authorization', `Bearer ${one.tokens.admin}`).send({ officerId: 'kim', name: 'Kim Lee' });
    expect(res.status).toBe(201);
    await one.app.get(CheckpointService).issue();
    const day = '2026-12-08';
    const claims = two.app.get<ProcessorStore>(PROCESSOR_STORE);
    await claims.claim(WITNESS_PROCESSOR, witnessSendIdFor(AGENCY, WITNESSES[0], day), 'a server that stopped', Date.now() - 2 * 60 * 60 * 1000);
    one.clock.set(day);
    const report = await one.app.get(WitnessCheckpoints).runAgency(AGENCY, one.clock.now);
    expect(report.witnesses).toEqual([
      expect.objectContaining({ email: WITNESSES[0], outcome: 'FAILED', error: expect.stringContaining('it may have been delivered') }),
      expect.objectContaining({ email: WITNESSES[1], outcome: 'SENT' }),
    ]);
    expect(smtp.messages).toHaveLength(3);
    const again = await two.app.get(WitnessCheckpoints).runAgency(AGENCY, one.clock.now);
    expect(again.witnesses.map((w) => w.outcome)).toEqual(['SKIPPED', 'SKIPPED']);
    expect(smtp.messages).toHaveLength(3);
    expect((await sent()).map((e) => e.type)).toEqual(['WitnessCheckpointSent', 'WitnessCheckpointSent', 'WitnessCheckpointFailed', 'WitnessCheckpointSent']);
  }, 30_000);
});
