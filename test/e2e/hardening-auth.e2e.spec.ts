/**
 * Failed authentication (decisions W13), on the real app and the store SRO_STORE names: each
 * failure is one warning line naming the route and the source address, never the token; past
 * SRO_AUTH_FAILURE_LIMIT failures (default 20) per SRO_AUTH_FAILURE_WINDOW seconds (default 60)
 * from one address, its failures are answered 429 with Retry-After, only the first of them is
 * logged, a valid token still works from that address, and another address is not affected.
 */
import type { LoggerService } from '@nestjs/common';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_AUTH_FAILURE_LIMIT, DEFAULT_AUTH_FAILURE_WINDOW_SECONDS } from '../../src/config';
import { Harness, startHarness, storeHeads } from './http-harness';

const A = 'auth-pd';
const SECRET = 'sro_thisIsNotAValidTokenButLooksLikeOne0123456789';

function capturing(lines: string[]): LoggerService {
  return {
    log: () => undefined,
    warn: (message) => lines.push(String(message)),
    error: (message, ...rest) => lines.push(`ERROR ${[message, ...rest].join(' ')}`),
  };
}

/** GET from a chosen local (source) address: Linux routes all of 127.0.0.0/8 to the loopback. */
function getFrom(localAddress: string, port: number, path: string, token?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, localAddress, headers: token ? { Authorization: `Bearer ${token}` } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe(`default limit: ${DEFAULT_AUTH_FAILURE_LIMIT} failures per ${DEFAULT_AUTH_FAILURE_WINDOW_SECONDS} s per address`, () => {
  let h: Harness;
  let admin: string;
  const lines: string[] = [];
  let port: number;

  beforeAll(async () => {
    h = await startHarness();
    ({ admin } = await h.agency(A));
    h.app.useLogger(capturing(lines));
    await h.app.listen(0, '127.0.0.1');
    port = (h.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => h.close());

  const status = `/api/agencies/${A}/status`;

  it('logs each failure as one line naming the route and the address, never the token', async () => {
    lines.length = 0;
    const bad = await h.http().get(`${status}?asOf=2025-10-01`).set('Authorization', `Bearer ${SECRET}`);
    expect({ status: bad.status, message: bad.body.message }).toEqual({ status: 401, message: ['Authorization: the token is unknown or revoked'] });
    const none = await h.http().post(`/api/agencies/${A}/officers`).send({ officerId: 'x', name: 'X' });
    expect(none.status).toBe(401);
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^401 GET ${status} from (::ffff:)?127\\.0\\.0\\.1: Authorization: the token is unknown or revoked$`)),
      expect.stringMatching(new RegExp(`^401 POST /api/agencies/${A}/officers from (::ffff:)?127\\.0\\.0\\.1: Authorization: a bearer token is required`)),
    ]);
    // Not the token, nor any piece of it long enough to help a guess.
    for (const line of lines) for (let i = 0; i + 8 <= SECRET.length; i++) expect(line).not.toContain(SECRET.slice(i, i + 8));
  });

  it(`answers 429 with Retry-After after ${DEFAULT_AUTH_FAILURE_LIMIT} failures, logs the block once, and a valid token still works`, async () => {
    lines.length = 0;
    const before = await storeHeads(h.store);
    // Two failures were counted by the test above.
    const answers: number[] = [];
    for (let i = 2; i < DEFAULT_AUTH_FAILURE_LIMIT; i++) answers.push((await h.http().get(status).set('Authorization', `Bearer ${SECRET}${i}`)).status);
    expect(answers.every((s) => s === 401)).toBe(true);
    const blocked = await h.http().get(status).set('Authorization', `Bearer ${SECRET}`);
    expect(blocked.status).toBe(429);
    expect(blocked.body).toMatchObject({ statusCode: 429, message: [expect.stringMatching(/^too many failed authentications from this address: retry after \d+ seconds/)] });
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= DEFAULT_AUTH_FAILURE_WINDOW_SECONDS).toBe(true);
    expect(blocked.headers['cache-control']).toBe('no-store');
    // Still blocked without a token; not logged again.
    expect((await h.http().post(`/api/agencies/${A}/officers`).send({ officerId: 'x', name: 'X' })).status).toBe(429);
    // A valid token from the same address is not locked out, for reads and writes.
    expect((await h.http().get(status).set('Authorization', `Bearer ${admin}`)).status).toBe(200);
    const write = await h.http().post(`/api/agencies/${A}/officers`).set('Authorization', `Bearer ${admin}`).send({ officerId: 'still-works', name: 'Still Works' });
    expect(write.status).toBe(201);
    expect(lines.length).toBe(DEFAULT_AUTH_FAILURE_LIMIT - 2 + 1);
    expect(lines.at(-1)).toMatch(new RegExp(`^429 GET ${status} from (::ffff:)?127\\.0\\.0\\.1: too many failed authentications`));
    expect(lines.filter((l) => l.startsWith('429'))).toHaveLength(1);
    expect(lines.some((l) => l.startsWith('ERROR'))).toBe(false);
    // Only the one valid write was recorded.
    expect(await storeHeads(h.store)).not.toBe(before);
  });

  it('another source address is counted on its own', async () => {
    const other = await getFrom('127.0.0.2', port, status, SECRET);
    expect(other.status).toBe(401);
    const same = await getFrom('127.0.0.1', port, status, SECRET);
    expect(same.status).toBe(429);
    expect(Number(same.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });
});

describe('the limits are configurable (SRO_AUTH_FAILURE_LIMIT, SRO_AUTH_FAILURE_WINDOW, SRO_JSON_LIMIT)', () => {
  let h: Harness;
  let admin: string;
  const saved = { limit: process.env.SRO_AUTH_FAILURE_LIMIT, window: process.env.SRO_AUTH_FAILURE_WINDOW, json: process.env.SRO_JSON_LIMIT };

  beforeAll(async () => {
    process.env.SRO_AUTH_FAILURE_LIMIT = '3';
    process.env.SRO_AUTH_FAILURE_WINDOW = '1';
    process.env.SRO_JSON_LIMIT = '2kb';
    try {
      h = await startHarness();
    } finally {
      for (const [name, value] of [
        ['SRO_AUTH_FAILURE_LIMIT', saved.limit],
        ['SRO_AUTH_FAILURE_WINDOW', saved.window],
        ['SRO_JSON_LIMIT', saved.json],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    admin = (await h.agency(A)).admin;
  });
  afterAll(() => h.close());

  it('SRO_JSON_LIMIT=2kb: a 3 KB body is a 413, a 1 KB one is read', async () => {
    const path = `/api/agencies/${A}/officers`;
    const big = await h.http().post(path).set('Authorization', `Bearer ${admin}`).send({ officerId: 'big', name: 'x'.repeat(3000) });
    expect({ status: big.status, message: big.body.message }).toEqual({ status: 413, message: ['body must be at most 2 KB of JSON'] });
    const small = await h.http().post(path).set('Authorization', `Bearer ${admin}`).send({ officerId: 'small', name: 'x'.repeat(150) });
    expect(small.status).toBe(201);
  });

  it('3 failures, then 429 until Retry-After has passed, then 401 again', async () => {
    const path = `/api/agencies/${A}/reminders`;
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await h.http().get(path)).status);
    expect(codes).toEqual([401, 401, 401, 429]);
    const blocked = await h.http().get(path);
    const retryAfter = Number(blocked.headers['retry-after']);
    expect({ status: blocked.status, retryAfter }).toEqual({ status: 429, retryAfter: 1 });
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
    expect((await h.http().get(path)).status).toBe(401);
  });
});
