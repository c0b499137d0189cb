/**
 * The read-model check under a write load on PostgreSQL: while writers register officers (each
 * registration moves the agency's summary document and the read models' checkpoint) and record
 * facts on existing officers, every GET .../integrity must say ok. A document that is merely
 * behind or ahead of where the check read the events is not "altered" (docs/decisions.md W40):
 * the check compares each document with the events at the checkpoint it was committed with.
 * Runs on a fresh database of the test PostgreSQL server; skipped loudly when it cannot be
 * reached (never under CI=true).
 */
import { ProjectionRunner } from '../../src/read-models/projection-runner';
import { postgresSkipReason, testPostgresUrl } from '../support/postgres';
import { Harness, startHarness } from './http-harness';

const A = 'busy-pd';
const skip = postgresSkipReason();
if (skip) console.warn(`SKIPPED: integrity under a PostgreSQL write load: ${skip}`);
const maybe = skip ? describe.skip : describe;

maybe('GET .../integrity during a PostgreSQL write load', () => {
  let h: Harness;
  let tokens: Awaited<ReturnType<Harness['agency']>>;

  beforeAll(async () => {
    h = await startHarness({ store: testPostgresUrl() });
    tokens = await h.agency(A);
    const write = (path: string, body: object) => h.http().post(`/api/agencies/${A}${path}`).set('Authorization', `Bearer ${tokens.admin}`).send(body).expect(201);
    await write('/policies', { version: '2025-10', adoptedOn: '2025-08-15' });
    for (let i = 0; i < 10; i++) await write('/officers', { officerId: `base-${i}`, name: `Base Officer ${i}` });
    await h.app.get(ProjectionRunner).waitUntilCaughtUp();
  }, 60_000);
  afterAll(() => h?.close());

  it('every verification during the load is ok, and so is one after it', async () => {
    let stop = false;
    const statuses: number[] = [];
    const writer = async (w: number) => {
      for (let i = 0; !stop && i < 150; i++) {
        const res =
          i % 2 === 0
            ? await h.http().post(`/api/agencies/${A}/officers`).set('Authorization', `Bearer ${tokens.admin}`).send({ officerId: `w${w}-${i}`, name: `Writer ${w} ${i}` })
            : await h
                .http()
                .post(`/api/agencies/${A}/officers/base-${w}/substitute-days`)
                .set('Authorization', `Bearer ${tokens.admin}`)
                .send({ date: new Date(Date.UTC(2025, 8, 1) + i * 86_400_000).toISOString().slice(0, 10), school: `School ${w}-${i}` });
        statuses.push(res.status);
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
    const reports: { ok: boolean; reason?: string }[] = [];
    try {
      for (let call = 0; call < 5; call++) {
        const res = await h.http().get(`/api/agencies/${A}/integrity`).set('Authorization', `Bearer ${tokens.investigator}`);
        expect(res.status).toBe(200);
        reports.push({ ok: res.body.ok, reason: res.body.firstBroken?.reason });
      }
    } finally {
      stop = true;
      await load;
    }
    expect(reports.filter((r) => !r.ok)).toEqual([]);
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
    expect(statuses.length).toBeGreaterThan(50);
    const after = await h.http().get(`/api/agencies/${A}/integrity`).set('Authorization', `Bearer ${tokens.investigator}`);
    expect({ ok: after.body.ok, firstBroken: after.body.firstBroken }).toEqual({ ok: true, firstBroken: undefined });
  }, 180_000);
});
