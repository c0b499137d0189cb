/**
 * The agency report's two sources of facts agree: the facts snapshots of the read model (joined
 * with the agency's facts at knownAt) and the whole ledgers read from the event store, for the
 * benchmark generator's data (late-recorded courses and retractions in a second pass), on both
 * time axes. And the snapshots are really used where they cover knownAt.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agencyStream } from '../../events/streams';
import { agencyPlans, firstPass, GENERATED_TODAY, secondPass } from '../../bench/generate';
import { statusFromFacts, type Facts } from '../../projections';
import { BulkImporter } from '../../src/import/bulk-import';
import { OFFICER_LEDGERS } from '../../src/read-models/ledger-projections';
import { ProjectionRunner } from '../../src/read-models/projection-runner';
import { SqliteReadModelStore } from '../../src/store/sqlite/sqlite-read-model-store';
import { LedgerReader } from '../../src/read/ledger-reader';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store';

const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

async function collect(pages: AsyncIterable<Facts[]>): Promise<Facts[]> {
  const all: Facts[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}

it('facts from snapshots equal facts from whole ledgers at every knownAt, and are used where they cover it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sro-facts-'));
  const store = SqliteEventStore.open(join(dir, 'sro.db'));
  const readModels = new SqliteReadModelStore(join(dir, 'sro.db'));
  try {
    const [plan] = agencyPlans(60); // the largest of four agencies: 24 officers
    await store.appendToStream(agencyStream(plan.agencyId), [
      { eventId: randomUUID(), type: 'AgencyRegistered', schemaVersion: 1, data: { agencyId: plan.agencyId, name: plan.name }, metadata: { recordedBy: 'test', correlationId: 'c' } },
    ], { expectedRevision: 'no_stream' });
    const importer = new BulkImporter(store);
    const beforeAll = new Date().toISOString();
    await pause();
    const first = await importer.import(firstPass(11, 0, plan), { agencyId: plan.agencyId, recordedBy: 'test', today: GENERATED_TODAY });
    await pause();
    const between = new Date().toISOString();
    await pause();
    const second = await importer.import(secondPass(11, 0, plan), { agencyId: plan.agencyId, recordedBy: 'test', today: GENERATED_TODAY });
    expect(first.rejectedCount + second.rejectedCount).toBe(0);
    expect(second.eventsAppended).toBeGreaterThan(0);

    const runner = new ProjectionRunner(store, readModels);
    await runner.catchUp();
    const fresh = new LedgerReader(store, readModels, runner);
    const fromStore = new LedgerReader(store, readModels, { freshen: async () => false, caughtUpCheckpoint: () => undefined } as unknown as ProjectionRunner);
    const ledgerReads = jest.spyOn(readModels, 'get');
    const later = new Date(Date.now() + 60_000).toISOString();

    for (const knownAt of [beforeAll, between, later]) {
      ledgerReads.mockClear();
      const snapshots = await collect(fresh.agencyFactsPages(plan.agencyId, knownAt, 7));
      const ledgers = ledgerReads.mock.calls.filter(([projection]) => projection === OFFICER_LEDGERS.name).length;
      const whole = await collect(fromStore.agencyFactsPages(plan.agencyId, knownAt));
      expect(snapshots).toEqual(whole);
      for (const asOf of ['2025-09-01', '2026-03-15', '2027-06-01', '2029-12-31']) {
        expect(snapshots.map((f) => statusFromFacts(f, asOf))).toEqual(whole.map((f) => statusFromFacts(f, asOf)));
      }
      if (knownAt === beforeAll) expect(snapshots).toEqual([]);
      if (knownAt === between) {
        expect(snapshots).toHaveLength(plan.officers);
        expect(ledgers).toBeGreaterThan(0); // officers with second-pass events: their whole ledger
        expect(ledgers).toBeLessThan(plan.officers);
      }
      if (knownAt === later) {
        expect(snapshots).toHaveLength(plan.officers);
        expect(ledgers).toBe(0); // every snapshot covers it
      }
    }
  } finally {
    await readModels.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
