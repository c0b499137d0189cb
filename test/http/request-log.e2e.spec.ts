/**
 * The request log (nestjs-pino): one JSON line per request with its id, route, status, latency
 * and who asked; the id taken from X-Request-Id when usable and echoed; never a token, a
 * password, a cookie, a body or a query string; the level from config.
 */
import { Writable } from 'node:stream';
import { startHarness, type Harness } from '../e2e/http-harness';

class Lines extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  /** The request lines (pino-http's), parsed. */
  requests(): Record<string, any>[] {
    return this.lines.map((l) => JSON.parse(l)).filter((l) => l.req !== undefined);
  }
}

let h: Harness;
const out = new Lines();
let tokens: Record<string, string>;

beforeAll(async () => {
  h = await startHarness({ store: 'sqlite:', requestLog: { level: 'info', format: 'json', destination: out } });
  tokens = await h.agency('log-pd');
});
afterAll(() => h.close());

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('request log', () => {
  it('writes one JSON line per request with id, route, status, latency and the principal', async () => {
    out.lines.length = 0;
    const res = await h.http().get('/api/agencies/log-pd/officers').set('Authorization', `Bearer ${tokens.auditor}`).set('X-Request-Id', 'req-0001');
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('req-0001');
    await settle();
    const lines = out.requests();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      requestId: 'req-0001',
      req: { method: 'GET', path: '/api/agencies/log-pd/officers' },
      route: '/api/agencies/:agencyId/officers',
      status: 200,
      principal: { kind: 'token', name: 'auditor-token', role: 'auditor', agency: 'log-pd' },
    });
    expect(typeof lines[0].latencyMs).toBe('number');
    expect(Date.parse(lines[0].time)).not.toBeNaN();
  });

  it('makes a request id when none (or an unusable one) is sent, and echoes it', async () => {
    out.lines.length = 0;
    const plain = await h.http().get('/api/health');
    const bad = await h.http().get('/api/health').set('X-Request-Id', 'has spaces in it');
    await settle();
    for (const res of [plain, bad]) expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.requests().map((l) => l.requestId)).toEqual([plain.headers['x-request-id'], bad.headers['x-request-id']]);
    expect(out.requests()[0]).not.toHaveProperty('principal');
  });

  it('never logs a token, a password, a cookie, a body or a query string', async () => {
    out.lines.length = 0;
    const secretBody = { officerId: 'o-secret', name: 'Secret Bodyname', licenseNumber: 'LIC-SECRET-99' };
    await h.http().post('/api/agencies/log-pd/officers').set('Authorization', `Bearer ${tokens.admin}`).set('Cookie', 'sro_session=COOKIE-SECRET').send(secretBody);
    await h.http().post('/sign-in').type('form').send({ email: 'x@example.org', password: 'PASSWORD-SECRET-123', _csrf: 'nope' });
    await h.http().get('/welcome?token=LINK-SECRET-TOKEN');
    await h.http().get('/api/agencies/log-pd/status').set('Authorization', 'Bearer WRONG-TOKEN-SECRET');
    await settle();
    const text = out.lines.join('\n');
    expect(out.requests()).toHaveLength(4);
    for (const secret of [tokens.admin, 'COOKIE-SECRET', 'PASSWORD-SECRET', 'LINK-SECRET', 'WRONG-TOKEN-SECRET', 'Secret Bodyname', 'LIC-SECRET']) expect(text).not.toContain(secret);
    expect(out.requests().find((l) => l.req.path === '/api/agencies/log-pd/status')).toMatchObject({ level: 'warn', status: 401 });
  });
});

describe('readable output', () => {
  it('format pretty (what auto picks on a terminal) writes readable lines, not JSON', async () => {
    const lines = new Lines();
    const other = await startHarness({ store: 'memory:', requestLog: { level: 'info', format: 'pretty', destination: lines } });
    try {
      await other.http().get('/api/health').set('X-Request-Id', 'pretty-1');
      await new Promise((resolve) => setTimeout(resolve, 100));
      const line = lines.lines.find((l) => l.includes('GET /api/health 200'));
      expect(line).toBeDefined();
      expect(() => JSON.parse(line!)).toThrow();
      expect(line).toContain('pretty-1');
    } finally {
      await other.close();
    }
  });
});

describe('log level from config', () => {
  it('at warn, a successful request is not logged and a refused one is', async () => {
    const quiet = new Lines();
    const other = await startHarness({ store: 'memory:', requestLog: { level: 'warn', format: 'json', destination: quiet } });
    try {
      await other.http().get('/api/health');
      await other.http().get('/api/agencies/x/status');
      await settle();
      expect(quiet.requests().map((l) => l.status)).toEqual([401]);
    } finally {
      await other.close();
    }
  });
});
