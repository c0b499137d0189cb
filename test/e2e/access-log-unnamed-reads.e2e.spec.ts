/**
 * A read of officer data is recorded wherever it is made, or refused loudly when no reader is
 * named (src/access-log/access-log.ts, docs/decisions.md W43): a query of officer data run on the
 * QueryBus outside a request and outside AccessLog.runAs throws UnnamedReadError under tests
 * (and reads nothing), and in production is answered with a warning in the log. Reads over the
 * API, and inside runAs, are named and recorded as before.
 */
import { Logger } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { AccessLog, UnnamedReadError } from '../../src/access-log/access-log';
import { GetAgencyStatusQuery } from '../../src/agencies/agency-status';
import { createHttpApp } from '../../src/http/create-http-app';
import { GetOfficerStatusQuery } from '../../src/officers/officer-status';
import { type Harness, startHarness } from './http-harness';

const A = 'named-pd';
let h: Harness;
let tokens: Awaited<ReturnType<Harness['agency']>>;
const axes = () => ({ asOf: '2026-03-01', knownAt: new Date().toISOString() });

beforeAll(async () => {
  h = await startHarness();
  tokens = await h.agency(A);
  const res = await h.http().post(`/api/agencies/${A}/officers`).set('Authorization', `Bearer ${tokens.admin}`).send({ officerId: 'jdoe', name: 'Jane Doe' });
  expect(res.status).toBe(201);
});
afterAll(() => h?.close());

const entries = async () => (await h.app.get(AccessLog).find({ agencyId: A, limit: 1000 })).map((e) => `${e.principal.name} ${e.kind} ${e.officerId ?? ''}`.trim());

it('under tests, a query of officer data with no reader named is refused before it reads', async () => {
  const queries = h.app.get(QueryBus);
  const before = await entries();
  await expect(queries.execute(new GetOfficerStatusQuery(A, 'jdoe', axes()))).rejects.toThrow(UnnamedReadError);
  await expect(queries.execute(new GetAgencyStatusQuery(A, axes()))).rejects.toThrow(/outside a request and outside AccessLog.runAs/);
  expect(await entries()).toEqual(before);
});

it('inside runAs, and over the API, the same reads are answered and recorded under their reader', async () => {
  const log = h.app.get(AccessLog);
  const view = await log.runAs({ principal: { kind: 'cli', id: 'ops', name: 'ops', role: 'cli' }, route: 'cli status', format: 'json', requestId: null }, () =>
    h.app.get(QueryBus).execute(new GetOfficerStatusQuery(A, 'jdoe', axes())),
  );
  expect(view).toBeDefined();
  const api = await h.http().get(`/api/agencies/${A}/officers/jdoe/status`).set('Authorization', `Bearer ${tokens.auditor}`);
  expect(api.status).toBe(200);
  const found = await entries();
  expect(found).toContain('ops officer-status jdoe');
  expect(found.some((e) => / officer-status jdoe$/.test(e) && !e.startsWith('ops '))).toBe(true);
});

it("in production ('warn'), the read is answered as usual and a warning names it", async () => {
  const app = await createHttpApp({ store: h.storeUrl, logger: false, unnamedReads: 'warn', ledger: { keyFile: h.keyFile, verifyIntervalMs: 0, checkpointIntervalMs: 0 } });
  await app.init();
  const warnings: string[] = [];
  const spy = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
  try {
    const view = await app.get(QueryBus).execute(new GetOfficerStatusQuery(A, 'jdoe', axes()));
    expect(view).toMatchObject({ officerId: 'jdoe' });
    expect(warnings.some((w) => /GetOfficerStatusQuery read officer data with no reader named/.test(w))).toBe(true);
  } finally {
    spy.mockRestore();
    await app.close();
  }
});
