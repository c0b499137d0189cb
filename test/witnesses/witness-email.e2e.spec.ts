/**
 * Witnesses receive the ledger's checkpoint by e-mail (docs/integrity.md "Witnesses"), against a
 * real SMTP server in the test process: named and listed with the CLI, nothing sent without
 * SRO_SMTP_URL, one message each for two witnesses with the checkpoint attached and the one-line
 * instruction, its WitnessCheckpointSent in the agency's stream, not re-sent the same day nor for
 * a copy the witness holds, sent again once the records grew, and the received attachment checked
 * with the CLI's `verify --checkpoint`: it passes, and after a planted rewrite it fails. The
 * schedule gives it only from the digest's Minnesota time on.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseVerifierKey, verifyCheckpoint } from '../../events/checkpoint';
import { agencyStream, officerStream } from '../../events/streams';
import { CheckpointService } from '../../src/ledger/checkpoint-service';
import { WitnessCheckpoints, WitnessSchedule } from '../../src/witnesses';
import { runMain } from '../support/cli-in-process';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { editEventData } from '../support/tamper';
import { AGENCY, startNoticeServer, type NoticeServer } from '../notices/notice-harness';

let smtp: TestSmtp;
let server: NoticeServer;
let env: NodeJS.ProcessEnv;
let key: string;

const ATTORNEY = { name: 'Dakota County Attorney', email: 'attorney@co.dakota.example.gov' };
const DESIGNEE = { name: 'Robin Park, data practices designee, ISD 194', email: 'Data.Practices@isd194.example.org' };

beforeAll(async () => {
  smtp = await startSmtp();
  server = await startNoticeServer({ smtpUrl: smtp.url });
  env = { ...process.env, SRO_STORE: server.storeUrl, SRO_KEY_FILE: server.keyFile, NODE_ENV: 'test' };
  delete env.SRO_SMTP_URL;
  key = server.app.get(CheckpointService).key().verifierKey;
}, 60_000);
afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

const give = async (day: string) => {
  server.clock.set(day);
  return server.app.get(WitnessCheckpoints).runAgency(AGENCY, server.clock.now);
};
const witnessEvents = async () => (await server.store.readStream(agencyStream(AGENCY))).filter((e) => e.type.startsWith('WitnessCheckpoint'));
const attachmentOf = (mail: TestSmtp['messages'][number]) => {
  expect(mail.attachments).toHaveLength(1);
  return { filename: mail.attachments[0].filename, text: mail.attachments[0].content.toString('utf8') };
};
const addressOf = (mail: TestSmtp['messages'][number]) => (mail.to && 'text' in mail.to ? mail.to.text : '');

describe('witnesses of an agency', () => {
  it('are named, listed and refused with field messages by the CLI', async () => {
    for (const w of [ATTORNEY, DESIGNEE]) {
      const added = await runMain(env, 'witness', 'add', '--agency', AGENCY, '--name', w.name, '--email', w.email);
      expect(added).toMatchObject({ status: 0 });
      expect(added.stdout).toContain(`is a witness of agency ${AGENCY}`);
    }
    const again = await runMain(env, 'witness', 'add', '--agency', AGENCY, '--name', 'Again', '--email', ATTORNEY.email.toUpperCase());
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(`Email: ${ATTORNEY.email} is already a witness of agency ${AGENCY}`);
    const bad = await runMain(env, 'witness', 'add', '--agency', AGENCY, '--name', 'Nobody', '--email', 'not an address');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('Email: enter an email address');
    const listed = await runMain(env, 'witness', 'list', '--agency', AGENCY);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ email: ATTORNEY.email, name: ATTORNEY.name, addedBy: expect.stringMatching(/^cli:/) }),
      expect.objectContaining({ email: DESIGNEE.email.toLowerCase(), name: DESIGNEE.name }),
    ]);
    const missing = await runMain(env, 'witness', 'remove', '--agency', AGENCY, '--email', 'someone@else.example.gov');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('is not a witness');
    expect((await runMain(env, 'agency', 'public', '--agency', AGENCY, '--on')).status).toBe(0);
  });

  it('receive nothing while SRO_SMTP_URL is not set, and the command says so', async () => {
    await server.app.get(CheckpointService).issue();
    const sent = await runMain(env, 'witness', 'send', '--agency', AGENCY);
    expect(sent.status).toBe(0);
    expect(sent.stderr).toContain('SRO_SMTP_URL is not set');
    const report = JSON.parse(sent.stdout);
    expect(report).toMatchObject({ agencyId: AGENCY, smtpConfigured: false });
    expect(report.witnesses).toEqual([
      { email: ATTORNEY.email, outcome: 'SKIPPED', reason: 'SRO_SMTP_URL is not configured: nothing is sent' },
      { email: DESIGNEE.email.toLowerCase(), outcome: 'SKIPPED', reason: 'SRO_SMTP_URL is not configured: nothing is sent' },
    ]);
    expect(smtp.messages).toHaveLength(0);
    expect(await witnessEvents()).toEqual([]);
  });

  it('each receive one message with the checkpoint attached and the instruction; the agency stream records who holds it', async () => {
    const latest = (await server.app.get(CheckpointService).issue())!;
    const report = await give('2026-12-07');
    expect(report.treeSize).toBe(latest.treeSize);
    expect(report.witnesses.map((w) => w.outcome)).toEqual(['SENT', 'SENT']);
    expect(smtp.messages).toHaveLength(2);
    expect(smtp.messages.map(addressOf).sort()).toEqual([ATTORNEY.email, DESIGNEE.email.toLowerCase()].map((e) => expect.stringContaining(e)).sort());
    // What a witness reads, kept for a person to look at (test-results is not committed).
    mkdirSync('test-results', { recursive: true });
    writeFileSync(join('test-results', 'witness-message.txt'), `Subject: ${smtp.messages[0].subject}\n\n${smtp.messages[0].text}`);
    for (const mail of smtp.messages) {
      const file = attachmentOf(mail);
      expect(file.filename).toBe(`checkpoint-${latest.treeSize}.txt`);
      expect(file.text).toBe(latest.note);
      expect(verifyCheckpoint(file.text, parseVerifierKey(key))).toMatchObject({ treeSize: latest.treeSize, rootHash: latest.rootHash });
      expect(mail.subject).toBe(`Lakeville Police Department: the ledger's signed checkpoint of ${latest.treeSize} events, to keep`);
      expect(mail.text).toContain(`Keep this file; to check the agency's records later, run: verify --checkpoint checkpoint-${latest.treeSize}.txt --public-key '${key}' (or paste it on the Integrity page, http://sro.lakeville.example.gov/integrity).`);
      expect(mail.text).toContain(`The agency publishes the same key on its public page, http://sro.lakeville.example.gov/public/${AGENCY}`);
      expect(mail.text).toContain(latest.note.trimEnd());
    }
    const events = await witnessEvents();
    expect(events.map((e) => [e.type, e.recordedBy])).toEqual([
      ['WitnessCheckpointSent', 'witness-checkpoints'],
      ['WitnessCheckpointSent', 'witness-checkpoints'],
    ]);
    const byEmail = new Map(smtp.messages.map((m) => [addressOf(m).match(/[^<\s]+@[^>\s]+/)![0], m.messageId]));
    for (const [event, witness] of [[events[0], ATTORNEY], [events[1], DESIGNEE]] as const) {
      expect(event.data).toEqual({ email: witness.email.toLowerCase(), name: witness.name, treeSize: latest.treeSize, rootHash: latest.rootHash, messageId: byEmail.get(witness.email.toLowerCase()) });
    }
  });

  it('is not sent twice the same day, nor for a copy the witness already holds', async () => {
    const again = await give('2026-12-07');
    expect(again.witnesses.map((w) => w.outcome === 'SKIPPED' && w.reason)).toEqual(['already sent a checkpoint today', 'already sent a checkpoint today']);
    // The next day: a new checkpoint covers only the records of the messages themselves.
    await server.app.get(CheckpointService).issue();
    const nextDay = await give('2026-12-08');
    expect(nextDay.witnesses.map((w) => w.outcome === 'SKIPPED' && w.reason)).toEqual([expect.stringMatching(/^already holds the checkpoint of \d+ events, and nothing was recorded since$/), expect.stringMatching(/^already holds/)]);
    expect(smtp.messages).toHaveLength(2);
  });

  it('is sent again once the records grew, and a removed witness receives no more', async () => {
    expect((await runMain(env, 'witness', 'remove', '--agency', AGENCY, '--email', DESIGNEE.email)).status).toBe(0);
    const res = await server.http().post(`/api/agencies/${AGENCY}/officers`).set('Authorization', `Bearer ${server.tokens.admin}`).send({ officerId: 'kim', name: 'Kim Lee' });
    expect(res.status).toBe(201);
    const latest = (await server.app.get(CheckpointService).issue())!;
    const report = await give('2026-12-09');
    expect(report.witnesses).toEqual([expect.objectContaining({ email: ATTORNEY.email, outcome: 'SENT', treeSize: latest.treeSize })]);
    expect(smtp.messages).toHaveLength(3);
    expect(attachmentOf(smtp.messages[2]).filename).toBe(`checkpoint-${latest.treeSize}.txt`);
  });

  it('are given the checkpoint by the schedule only once the digest time (Minnesota) is reached', async () => {
    const res = await server.http().post(`/api/agencies/${AGENCY}/officers`).set('Authorization', `Bearer ${server.tokens.admin}`).send({ officerId: 'lee', name: 'Lee Park' });
    expect(res.status).toBe(201);
    await server.app.get(CheckpointService).issue();
    const schedule = server.app.get(WitnessSchedule);
    server.clock.set('2026-12-10'); // noon, before the harness's digest time of 23:59
    await schedule.check();
    expect(smtp.messages).toHaveLength(3);
    server.clock.now = new Date('2026-12-11T05:59:30.000Z'); // 23:59:30 on 10 December in Minnesota (CST)
    await schedule.check();
    expect(smtp.messages).toHaveLength(4);
    await schedule.check(); // within the hour: not run again, and the day's message is sent anyway
    expect(smtp.messages).toHaveLength(4);
    expect((await witnessEvents()).at(-1)!.data).toMatchObject({ email: ATTORNEY.email });
  });

  it("the copy received checks the agency's records with verify --checkpoint, and fails after a planted rewrite", async () => {
    const first = attachmentOf(smtp.messages[0]);
    const copy = join(server.dir, first.filename ?? 'checkpoint.txt');
    writeFileSync(copy, first.text);
    const ok = await runMain(env, 'verify', '--checkpoint', copy, '--public-key', key);
    expect(ok.status).toBe(0);
    await editEventData({ dbPath: server.storeUrl.slice('sqlite:'.length), storeUrl: server.storeUrl }, officerStream(AGENCY, 'jdoe'), 'OfficerRegistered', (json) => json.replace('Jordan Doe', 'Jordan Dough'));
    const broken = await runMain(env, 'verify', '--checkpoint', copy, '--public-key', key);
    expect(broken.status).toBe(1);
    expect(JSON.parse(broken.stdout).ok).toBe(false);
  });
});
