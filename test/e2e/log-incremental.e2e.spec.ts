/**
 * The server's verification reads the rows its last verification read again as stored, and goes
 * on from what it found when they are the same (src/ledger/log-pass.ts, docs/integrity.md "The
 * log, checked incrementally"). Whatever someone with write access to the database does to those
 * rows in between, the verification says what a verification without that memory says: the same
 * verdict, the same first broken link. On the harness's store (SQLite file, or PostgreSQL with
 * test:postgres).
 */
import Database from 'better-sqlite3';
import type { RecordedEvent } from '../../events/envelope';
import { officerStream } from '../../events/streams';
import { ACCESS_LOG_STORE } from '../../src/access-log/access-log-store';
import { CheckpointService } from '../../src/ledger/checkpoint-service';
import { IntegrityMonitor } from '../../src/ledger/integrity-monitor';
import type { LedgerReport } from '../../src/ledger/ledger-verifier';
import { READ_MODEL_STORE } from '../../src/read-models/read-model-store.port';
import { ProjectionRunner } from '../../src/read-models/projection-runner';
import { withPostgres } from '../support/postgres';
import { deleteNewestEvent, editEventData, recomputeTree, rewriteEvent, swapPositions } from '../support/tamper';
import { Harness, recordThreeOfficers, startHarness } from './http-harness';

jest.setTimeout(60_000);

const A = 'log-memory-pd';

let h: Harness;
let tokens: Awaited<ReturnType<Harness['agency']>>;
const write = (path: string, body: object) => h.http().post(`/api/agencies/${A}${path}`).set('Authorization', `Bearer ${tokens.admin}`).send(body).expect(201);
const monitor = () => h.app.get(IntegrityMonitor);
const all = async (): Promise<RecordedEvent[]> => {
  const events: RecordedEvent[] = [];
  for await (const e of h.store.readAll()) events.push(e);
  return events;
};

/** A verification with no memory of earlier ones (as the CLI's, or another server's, would be). */
async function fresh(): Promise<LedgerReport> {
  const app = h.app;
  const other = new IntegrityMonitor(h.store, app.get(READ_MODEL_STORE), app.get(CheckpointService), app.get(ACCESS_LOG_STORE, { strict: false }));
  return other.verify({ witness: true });
}

const verdict = (r: LedgerReport) => ({ ok: r.ok, eventsChecked: r.eventsChecked, firstBroken: r.firstBroken, ledgerWide: r.ledgerWide, tree: r.tree });

beforeEach(async () => {
  h = await startHarness();
  tokens = await h.agency(A);
  await recordThreeOfficers(write, { reviewed: true });
  await h.app.get(ProjectionRunner).waitUntilCaughtUp();
  await h.app.get(CheckpointService).issue();
});
afterEach(() => h.close());

/** Two verifications, the second from the first's memory (the server's own verification at start may have been the first's). */
async function remembered(): Promise<LedgerReport> {
  const first = await monitor().verify({ witness: true });
  expect(first.ok).toBe(true);
  const second = await monitor().verify({ witness: true });
  expect(second.ok).toBe(true);
  expect(second.eventsRemembered).toBe(first.eventsChecked);
  return second;
}

describe('the log checked incrementally', () => {
  it('reads the rows again as stored and goes on with the events appended since', async () => {
    const second = await remembered();
    await write('/officers/ben/policy-reviews', { version: '2025-10', reviewedOn: '2025-09-20' });
    await write('/officers', { officerId: 'dee', name: 'Officer dee' });
    await h.app.get(CheckpointService).issue();
    const third = await monitor().verify({ witness: true });
    expect(third.ok).toBe(true);
    // From the last verification's memory: this one's, or one the server ran meanwhile (after the checkpoint).
    expect(third.eventsRemembered).toBeGreaterThanOrEqual(second.eventsChecked);
    expect(third.eventsChecked).toBeGreaterThan(second.eventsChecked);
    // The same tree, root and count as a verification that reads everything.
    expect(verdict(third)).toEqual({ ...verdict(await fresh()) });
  });

  const tampers: [string, () => Promise<unknown>, RegExp][] = [
    ['an old event edited in place', () => editEventData(h, officerStream(A, 'ana'), 'OfficerRegistered', (json) => json.replace('Officer ana', 'Officer Anna')), /hash does not match the event content/],
    [
      'an old event rewritten with its chain, its head and the tree recomputed',
      async () => {
        const stream = await h.store.readStream(officerStream(A, 'ben'));
        await rewriteEvent(h, stream, 1, { ...(stream[1].data as object), schools: ['Elsewhere'] });
        await recomputeTree(h, await all());
      },
      /differs from the .* events this server read earlier|checkpoint/,
    ],
    ['the newest event of a stream deleted and its head rolled back', async () => deleteNewestEvent(h, await h.store.readStream(officerStream(A, 'cy'))), /deleted|missing/],
    [
      'two events swapped in the log',
      async () => {
        const events = await all();
        await swapPositions(h, events[3], events[4]);
      },
      /order|differs|altered|reordered/,
    ],
  ];
  it.each(tampers)('%s: caught as a verification without memory catches it, with the same words', async (_name, tamper, reason) => {
    await remembered();
    await tamper();
    const incremental = await monitor().verify({ witness: true });
    expect(incremental.ok).toBe(false);
    expect(incremental.eventsRemembered).toBeUndefined();
    expect(incremental.firstBroken!.reason).toMatch(reason);
    expect(verdict(incremental)).toEqual(verdict(await fresh()));
    // A failed verification keeps nothing: the next one reads everything again, and still fails.
    const next = await monitor().verify({ witness: true });
    expect(next.ok).toBe(false);
    expect(next.eventsRemembered).toBeUndefined();
  });

  it('a row stored in another form but equal (its JSON text reordered) is read whole again, not an alarm', async () => {
    const second = await remembered();
    const stream = officerStream(A, 'ana');
    if (h.dbPath) {
      const db = new Database(h.dbPath);
      try {
        const row = db.prepare("SELECT event_id, data FROM events WHERE stream = ? AND type = 'OfficerRegistered'").get(stream) as { event_id: string; data: string };
        const reordered = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(row.data) as object).reverse()));
        expect(reordered).not.toBe(row.data);
        db.prepare('UPDATE events SET data = ? WHERE event_id = ?').run(reordered, row.event_id);
      } finally {
        db.close();
      }
    } else {
      // jsonb keeps one form: the text a client writes is not kept. A recorded_by rewritten to itself is the same row.
      await withPostgres(h.storeUrl, (c) => c.query('UPDATE events SET recorded_by = recorded_by WHERE stream = $1', [stream]));
    }
    const next = await monitor().verify({ witness: true });
    expect(next.ok).toBe(true);
    expect(next.eventsChecked).toBe(second.eventsChecked);
    // SQLite keeps the text: other bytes, read whole again. PostgreSQL: the same values, from memory.
    if (h.dbPath) expect(next.eventsRemembered).toBeUndefined();
    else expect(next.eventsRemembered).toBe(second.eventsChecked);
  });
});
