/**
 * The server's verification derives again only the read models whose events moved since it last
 * found them right (src/ledger/read-model-memory.ts, docs/integrity.md "Read models, checked
 * incrementally"), and still catches every document edited, deleted or inserted behind the
 * store's back, on the harness's store (SQLite file, or PostgreSQL with test:postgres).
 */
import { officerStream } from '../../events/streams';
import { IntegrityMonitor } from '../../src/ledger/integrity-monitor';
import { checkReadModels } from '../../src/ledger/read-model-check';
import { READ_MODEL_STORE, type ReadModelStore } from '../../src/read-models/read-model-store.port';
import { ProjectionRunner } from '../../src/read-models/projection-runner';
import { editReadModel } from '../support/tamper';
import { withPostgres } from '../support/postgres';
import Database from 'better-sqlite3';
import { Harness, recordThreeOfficers, startHarness } from './http-harness';

jest.setTimeout(60_000);

const A = 'incremental-pd';
const LEDGERS = 'officer-ledgers.v4';
const SUMMARIES = 'agency-summaries';

let h: Harness;
let tokens: Awaited<ReturnType<Harness['agency']>>;
const write = (path: string, body: object) => h.http().post(`/api/agencies/${A}${path}`).set('Authorization', `Bearer ${tokens.admin}`).send(body).expect(201);
const monitor = () => h.app.get(IntegrityMonitor);
const caughtUp = () => h.app.get(ProjectionRunner).waitUntilCaughtUp();

/** Deletes one stored document, as someone with write access to the database would. */
async function deleteDocument(projection: string, key: string): Promise<void> {
  if (h.dbPath) {
    const db = new Database(h.dbPath);
    try {
      expect(db.prepare('DELETE FROM projection_documents WHERE projection = ? AND key = ?').run(projection, key).changes).toBe(1);
    } finally {
      db.close();
    }
  } else {
    await withPostgres(h.storeUrl, async (c) => {
      expect((await c.query('DELETE FROM projection_documents WHERE projection = $1 AND key = $2', [projection, key])).rowCount).toBe(1);
    });
  }
}

beforeEach(async () => {
  h = await startHarness();
  tokens = await h.agency(A);
  await recordThreeOfficers(write);
  await caughtUp();
});
afterEach(() => h.close());

describe('the read models checked incrementally', () => {
  it('derives everything once, then only the documents whose events moved', async () => {
    const first = await monitor().verify({ witness: true });
    expect(first.ok).toBe(true);
    // Three officers (ledger and facts each) and the agency's summary, at least.
    expect(first.readModels!.documentsChecked).toBeGreaterThanOrEqual(7);
    expect(first.readModels!.documentsDerived).toBe(first.readModels!.documentsChecked);

    const second = await monitor().verify({ witness: true });
    expect(second.ok).toBe(true);
    expect(second.readModels).toEqual({ documentsChecked: first.readModels!.documentsChecked, documentsDerived: 0 });

    // One officer's stream moves: its two documents are derived again, nothing else.
    await write('/officers/ben/policy-reviews', { version: '2025-10', reviewedOn: '2025-08-20' });
    await caughtUp();
    const third = await monitor().verify({ witness: true });
    expect(third.ok).toBe(true);
    expect(third.readModels).toEqual({ documentsChecked: first.readModels!.documentsChecked, documentsDerived: 2 });

    // A new officer changes the agency's summary too: the summary and the new officer's two documents.
    await write('/officers', { officerId: 'dee', name: 'Officer dee' });
    await caughtUp();
    const fourth = await monitor().verify({ witness: true });
    expect(fourth.ok).toBe(true);
    expect(fourth.readModels).toEqual({ documentsChecked: first.readModels!.documentsChecked + 2, documentsDerived: 3 });

    // A verification without this server's memory (the CLI, another process) derives everything, and agrees.
    const fresh = await checkReadModels(h.store, h.app.get<ReadModelStore>(READ_MODEL_STORE));
    expect(fresh).toEqual({ documentsChecked: fourth.readModels!.documentsChecked, documentsDerived: fourth.readModels!.documentsChecked });
  });

  it('a document stored in another form but equal is derived again, not an alarm, and each document is counted once', async () => {
    const first = await monitor().verify({ witness: true });
    expect(first.ok).toBe(true);
    // The same ledger with its keys in another order: other text, equal as JSON.
    await editReadModel(h, LEDGERS, `${A}/ben`, (doc) => Object.fromEntries(Object.entries(doc).reverse()));
    const next = await monitor().verify({ witness: true });
    expect(next.ok).toBe(true);
    expect(next.readModels).toEqual({ documentsChecked: first.readModels!.documentsChecked, documentsDerived: 2 });
  });

  it('catches a document edited while its events stood still, with the same words as a first check', async () => {
    expect((await monitor().verify({ witness: true })).ok).toBe(true);
    expect((await monitor().verify({ witness: true })).readModels!.documentsDerived).toBe(0);
    await editReadModel(h, LEDGERS, `${A}/cy`, (doc) => ({ ...doc, name: 'Someone Else' }));
    const report = await monitor().verify({ witness: true });
    expect(report.ok).toBe(false);
    expect(report.firstBroken).toMatchObject({ stream: officerStream(A, 'cy'), reason: expect.stringMatching(new RegExp(`read model ${LEDGERS.replace('.', '\\.')}, document ${A}/cy: .*the stored document was altered`)) });
    // A failed verification keeps nothing: the next derives everything (and still fails).
    const next = await monitor().verify({ witness: true });
    expect(next.ok).toBe(false);
    expect(next.firstBroken!.reason).toMatch(/altered/);
  });

  it("catches an agency's summary edited while nothing moved", async () => {
    expect((await monitor().verify({ witness: true })).ok).toBe(true);
    await editReadModel(h, SUMMARIES, A, (doc) => ({ ...doc, name: 'Another Agency' }));
    const edited = await monitor().verify({ witness: true });
    expect(edited.ok).toBe(false);
    expect(edited.firstBroken!.reason).toMatch(new RegExp(`read model ${SUMMARIES}, document ${A}: .*altered`));
  });

  it('catches a document deleted while nothing moved', async () => {
    expect((await monitor().verify({ witness: true })).ok).toBe(true);
    await deleteDocument(LEDGERS, `facts:${A}/ana`);
    const deleted = await monitor().verify({ witness: true });
    expect(deleted.ok).toBe(false);
    expect(deleted.firstBroken).toMatchObject({ stream: officerStream(A, 'ana'), reason: expect.stringMatching(new RegExp(`document facts:${A}/ana: .*altered`)) });
  });

  it('a document inserted behind the store’s back is still caught', async () => {
    expect((await monitor().verify({ witness: true })).ok).toBe(true);
    if (h.dbPath) {
      const db = new Database(h.dbPath);
      try {
        db.prepare('INSERT INTO projection_documents (projection, key, doc) VALUES (?, ?, ?)').run(LEDGERS, `${A}/ghost`, '{"officerId":"ghost"}');
      } finally {
        db.close();
      }
    } else {
      await withPostgres(h.storeUrl, (c) => c.query('INSERT INTO projection_documents (projection, key, doc) VALUES ($1, $2, $3)', [LEDGERS, `${A}/ghost`, '{"officerId":"ghost"}']));
    }
    const report = await monitor().verify({ witness: true });
    expect(report.ok).toBe(false);
    expect(report.firstBroken!.reason).toMatch(new RegExp(`holds a document ${A}/ghost that no event derives`));
  });
});
