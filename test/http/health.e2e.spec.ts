/**
 * Liveness and readiness (src/health/health.controller.ts): live answers while the process does;
 * ready (and /api/health) is 503 while a read model is rebuilt and after a failed verification;
 * without a token no answer gives a count of records.
 */
import { officerStream } from '../../events/streams';
import { IntegrityMonitor } from '../../src/ledger/integrity-monitor';
import { ProjectionRunner } from '../../src/read-models/projection-runner';
import { READ_MODEL_STORE, type ReadModelStore } from '../../src/read-models/read-model-store.port';
import { startHarness, type Harness } from '../e2e/http-harness';
import { editEventData } from '../support/tamper';

let h: Harness;
let tokens: Record<string, string>;

beforeAll(async () => {
  h = await startHarness({ store: 'sqlite:' });
  tokens = await h.agency('health-pd');
  await h.http().post('/api/agencies/health-pd/officers').set('Authorization', `Bearer ${tokens.admin}`).send({ officerId: 'o1', name: 'Officer One' }).expect(201);
  await h.app.get(ProjectionRunner).catchUp();
});
afterAll(() => h.close());

const noDigits = (body: unknown) => expect(JSON.stringify(body)).not.toMatch(/\d/);

describe('health', () => {
  it('live: 200 {status: ok}, without a token', async () => {
    const res = await h.http().get('/api/health/live');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it.each(['/api/health', '/api/health/ready'])('%s: 200 with the checks, and no count of records without a token', async (path) => {
    const res = await h.http().get(path);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'ok',
      checks: { store: 'up', readModels: 'ready', integrity: 'ok' },
      projections: [
        { name: 'officer-ledgers.v4', rebuilding: false, halted: false },
        { name: 'agency-summaries', rebuilding: false, halted: false },
      ],
    });
    // Projection names aside ('v4'), nothing numeric.
    noDigits({ ...res.body, projections: res.body.projections.map((p: { name: string }) => ({ ...p, name: '' })) });
    // A wrong token is no token: still 200, still no counts.
    const wrong = await h.http().get(path).set('Authorization', 'Bearer nope');
    expect(wrong.status).toBe(200);
    expect(wrong.body.projections[0]).not.toHaveProperty('checkpoint');
  });

  it('with a valid token of any role, each read model has its checkpoint', async () => {
    const res = await h.http().get('/api/health').set('Authorization', `Bearer ${tokens.chief}`);
    expect(res.status).toBe(200);
    for (const p of res.body.projections) expect(p.checkpoint).toBeGreaterThan(0);
  });

  it('ready is 503 while a read model is rebuilt; live stays 200', async () => {
    const readModels = h.app.get<ReadModelStore>(READ_MODEL_STORE);
    await readModels.reset('agency-summaries');
    try {
      const ready = await h.http().get('/api/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.message).toEqual(['read models are being rebuilt from the log: agency-summaries']);
      expect(ready.body.checks).toEqual({ store: 'up', readModels: 'rebuilding', integrity: 'ok' });
      noDigits({ ...ready.body, statusCode: undefined });
      expect((await h.http().get('/api/health')).status).toBe(503);
      expect((await h.http().get('/api/health/live')).status).toBe(200);
    } finally {
      await h.app.get(ProjectionRunner).rebuild('agency-summaries');
    }
    expect((await h.http().get('/api/health/ready')).status).toBe(200);
  });

  it('ready is 503 after a failed verification; live stays 200', async () => {
    await editEventData(h, officerStream('health-pd', 'o1'), 'OfficerRegistered', (d) => d.replace('Officer One', 'Officer Two'));
    const monitor = h.app.get(IntegrityMonitor);
    await monitor.verify();
    const ready = await h.http().get('/api/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toMatchObject({ integrity: 'failed' });
    expect(ready.body.message[0]).toMatch(/the ledger failed verification/);
    expect((await h.http().get('/api/health/live')).status).toBe(200);
    await editEventData(h, officerStream('health-pd', 'o1'), 'OfficerRegistered', (d) => d.replace('Officer Two', 'Officer One'));
    await monitor.verify();
    expect((await h.http().get('/api/health/ready')).status).toBe(200);
  });
});
