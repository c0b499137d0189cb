/**
 * Hardening of the HTTP boundary (decisions W13), on the real app and the store SRO_STORE names:
 * the body parser's 413 / 415 / 400 (message an array of one line that does not echo the
 * input), the nesting-depth bound, `__proto__` / `constructor` / `prototype` refused as unknown
 * fields, the free-text rules (blank, control, escape, bidi, lone surrogate refused; NFC stored
 * and hashed), the same rules in the bulk import, the security headers and `Cache-Control:
 * no-store`, and that a refused body is one warning line in the log, never a stack.
 */
import type { LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { officerStream } from '../../events/streams';
import { BulkImporter } from '../../src/import/bulk-import';
import { CsvFormatError, readCsvCommands } from '../../src/import/csv-commands';
import { Harness, startHarness, storeHeads } from './http-harness';

const A = 'hard-pd';
const MARKER = 'ECHO-ME-NOT-7f3a';

let h: Harness;
let admin: string;
let auditor: string;
const lines: { level: string; message: string }[] = [];

/** A real logger that keeps what the app logs (the harness starts the app with logging off). */
const capture: LoggerService = {
  log: (message) => lines.push({ level: 'log', message: String(message) }),
  warn: (message) => lines.push({ level: 'warn', message: String(message) }),
  error: (message, ...rest) => lines.push({ level: 'error', message: [message, ...rest].join(' ') }),
};

beforeAll(async () => {
  h = await startHarness();
  ({ admin, auditor } = await h.agency(A));
  h.app.useLogger(capture);
  const o = `/agencies/${A}/officers/o1`;
  for (const [path, body] of [
    [`/agencies/${A}/policies`, { version: '2025-10', adoptedOn: '2025-08-15' }],
    [`/agencies/${A}/officers`, { officerId: 'o1', name: 'Pat Example' }],
    [`${o}/assignments`, { assignmentId: 'a1', schools: ['Anoka High School'], startDate: '2025-09-02' }],
    [`${o}/trainings`, { trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2025-08-20' }],
  ] as const) {
    const res = await post(path, body);
    expect({ path, status: res.status }).toEqual({ path, status: 201 });
  }
});
afterAll(() => h.close());

const post = (path: string, body: unknown, token = admin) =>
  h
    .http()
    .post(`/api${path}`)
    .set('Authorization', `Bearer ${token}`)
    .send(body as object);

/** Sends raw bytes with the given headers; the test decides Content-Type and Content-Encoding. */
const raw = (path: string, bytes: Buffer | string, headers: Record<string, string>, token: string | undefined = admin) => {
  const req = h.http().post(`/api${path}`).set(headers);
  if (token) req.set('Authorization', `Bearer ${token}`);
  // The bytes as they are: superagent would JSON-encode a Buffer sent as application/json.
  return req.serialize((x: unknown) => x as string).send(typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
};

/** The shape of a refusal (docs/reference.md#errors), one message line, no echo of the input; nothing appended. */
async function refusedWith(status: number, send: () => PromiseLike<{ status: number; body: { statusCode?: unknown; message?: unknown }; text: string }>) {
  const before = await storeHeads(h.store);
  const res = await send();
  expect({ status: res.status, statusCode: res.body.statusCode }).toEqual({ status, statusCode: status });
  expect(Array.isArray(res.body.message)).toBe(true);
  expect(res.text).not.toContain(MARKER);
  expect(await storeHeads(h.store)).toBe(before);
  return res.body.message as string[];
}

const OFFICERS = `/agencies/${A}/officers`;
const JSON_TYPE = { 'Content-Type': 'application/json' };

describe('body parser', () => {
  it('413 for a JSON body over 64 KB, before and after decompression', async () => {
    const big = JSON.stringify({ officerId: 'big', name: MARKER + 'x'.repeat(70 * 1024) });
    expect(await refusedWith(413, () => raw(OFFICERS, big, JSON_TYPE))).toEqual(['body must be at most 64 KB of JSON']);
    // 1 MB of JSON in a 1 KB gzip: the limit counts the decompressed bytes.
    const bomb = gzipSync(JSON.stringify({ officerId: 'bomb', name: MARKER + ' '.repeat(1024 * 1024) }));
    expect(bomb.length).toBeLessThan(8 * 1024);
    expect(await refusedWith(413, () => raw(OFFICERS, bomb, { ...JSON_TYPE, 'Content-Encoding': 'gzip' }))).toEqual(['body must be at most 64 KB of JSON']);
    // Without a token too: the body is refused before anyone reads it.
    expect(await refusedWith(413, () => raw(OFFICERS, big, JSON_TYPE, undefined))).toEqual(['body must be at most 64 KB of JSON']);
  });

  it('a body just under the limit is read', async () => {
    const body = JSON.stringify({ officerId: 'near-limit', name: 'N', pad: 'x'.repeat(60 * 1024) });
    // Read and validated: the unknown field is what is refused, not the size.
    expect(await refusedWith(400, () => raw(OFFICERS, body, JSON_TYPE))).toEqual(['property pad should not exist']);
  });

  it('415 for a content type other than application/json (form-encoded, text, multipart, none, another charset)', async () => {
    const cases: [string | undefined, string][] = [
      ['application/x-www-form-urlencoded', `officerId=form&name=${MARKER}`],
      ['text/plain', JSON.stringify({ officerId: 'text', name: MARKER })],
      ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="name"\r\n\r\n${MARKER}\r\n--x--\r\n`],
      ['application/json; charset=latin1', JSON.stringify({ officerId: 'latin', name: MARKER })],
      [undefined, JSON.stringify({ officerId: 'none', name: MARKER })],
    ];
    for (const [type, body] of cases) {
      const headers: Record<string, string> = type ? { 'Content-Type': type } : {};
      const send = () => {
        const req = h.http().post(`/api${OFFICERS}`).set('Authorization', `Bearer ${admin}`).set(headers).serialize((x: unknown) => x as string);
        // supertest sets a Content-Type for a string body unless one is given: unset it for the "none" case.
        if (!type) req.unset('Content-Type');
        return req.send(Buffer.from(body));
      };
      const message = await refusedWith(415, send);
      expect({ type, message: message.length }).toEqual({ type, message: 1 });
      expect(message[0]).toMatch(/^Content-Type must be application\/json/);
    }
  });

  it('application/json with charset=utf-8 (any case) is taken', async () => {
    const res = await raw(OFFICERS, JSON.stringify({ officerId: 'charset-ok', name: 'Charset OK' }), { 'Content-Type': 'Application/JSON; Charset="UTF-8"' });
    expect(res.status).toBe(201);
  });

  it('415 for an unsupported Content-Encoding; gzip, deflate and br bodies are read', async () => {
    for (const encoding of ['compress', 'zstd', 'x-unknown', 'gzip, gzip']) {
      expect(await refusedWith(415, () => raw(OFFICERS, JSON.stringify({ officerId: 'enc', name: MARKER }), { ...JSON_TYPE, 'Content-Encoding': encoding }))).toEqual([
        'Content-Encoding must be one of identity, gzip, deflate, br',
      ]);
    }
    const zlib = await import('node:zlib');
    const encoders: [string, (b: Buffer) => Buffer][] = [
      ['gzip', zlib.gzipSync],
      ['deflate', zlib.deflateSync],
      ['br', zlib.brotliCompressSync],
    ];
    for (const [encoding, encode] of encoders) {
      const res = await raw(OFFICERS, encode(Buffer.from(JSON.stringify({ officerId: `enc-${encoding}`, name: 'Compressed' }))), {
        ...JSON_TYPE,
        'Content-Encoding': encoding,
      });
      expect({ encoding, status: res.status }).toEqual({ encoding, status: 201 });
    }
  });

  it('400 for gzip garbage and for a truncated gzip body', async () => {
    const garbage = Buffer.from(`not gzip at all ${MARKER}`);
    expect(await refusedWith(400, () => raw(OFFICERS, garbage, { ...JSON_TYPE, 'Content-Encoding': 'gzip' }))).toEqual([
      'body could not be read with its Content-Encoding and Content-Length',
    ]);
    const truncated = gzipSync(JSON.stringify({ officerId: 'trunc', name: MARKER })).subarray(0, 12);
    expect(await refusedWith(400, () => raw(OFFICERS, truncated, { ...JSON_TYPE, 'Content-Encoding': 'gzip' }))).toEqual([
      'body could not be read with its Content-Encoding and Content-Length',
    ]);
  });

  it('400 for bad JSON: one line, an array, no echo of the input', async () => {
    for (const text of [`{"officerId": "bad", "name": "${MARKER}`, `{${MARKER}}`, `"${MARKER}"`, '12', 'null', `{"a":1}${MARKER}`]) {
      expect(await refusedWith(400, () => raw(OFFICERS, text, JSON_TYPE))).toEqual(['body must be valid JSON']);
    }
    expect(await refusedWith(400, () => raw(OFFICERS, `[{"officerId":"arr","name":"${MARKER}"}]`, JSON_TYPE))).toEqual(['body must be a JSON object']);
  });

  it('400 for nesting deeper than 16 levels (up to 5,000), checked before parsing', async () => {
    // `depth` arrays around a string; inside the body object that is depth + 1 levels.
    const nested = (depth: number) => '['.repeat(depth) + `"${MARKER}"` + ']'.repeat(depth);
    for (const depth of [17, 100, 5000]) {
      const body = `{"officerId":"deep","name":${nested(depth - 1)}}`;
      expect(await refusedWith(400, () => raw(OFFICERS, body, JSON_TYPE))).toEqual(['body must not nest objects or arrays more than 16 levels deep']);
    }
    // Brackets inside strings do not count; 16 levels is read (and then refused by the DTO, with its own message).
    const message = await refusedWith(400, () => raw(OFFICERS, `{"officerId":"deep","name":${nested(15)},"x":"${'['.repeat(100)}"}`, JSON_TYPE));
    expect(message).toEqual(expect.arrayContaining(['name must be a string', 'property x should not exist']));
  });

  it('a POST without a body answers with the field messages; a GET with a body is a 400', async () => {
    const res = await h.http().post(`/api${OFFICERS}`).set('Authorization', `Bearer ${admin}`);
    expect(res.status).toBe(400);
    expect(res.body.message).toEqual(expect.arrayContaining(['name must be a string']));
    const get = await h.http().get(`/api/agencies/${A}/status`).set('Authorization', `Bearer ${admin}`).set(JSON_TYPE).send(Buffer.from('{}'));
    expect({ status: get.status, message: get.body.message }).toEqual({ status: 400, message: ['a GET request takes no body (send the parameters in the query string)'] });
  });

  it('logs each refused body as one warning line (status, route, address), never a stack or the body', async () => {
    lines.length = 0;
    await raw(OFFICERS, `{"name": "${MARKER}`, JSON_TYPE, undefined);
    await raw(OFFICERS, Buffer.from(MARKER), { ...JSON_TYPE, 'Content-Encoding': 'gzip' }, undefined);
    await raw(OFFICERS, JSON.stringify({ name: MARKER }), { ...JSON_TYPE, 'Content-Encoding': 'x-unknown' }, undefined);
    await raw(OFFICERS, JSON.stringify({ name: MARKER + 'x'.repeat(100 * 1024) }), JSON_TYPE, undefined);
    expect(lines.map((l) => l.level)).toEqual(['warn', 'warn', 'warn', 'warn']);
    const path = `/api${OFFICERS}`;
    expect(lines.map((l) => l.message.replace(/ from \S+:/, ' from ADDR:'))).toEqual([
      `400 POST ${path} from ADDR: body must be valid JSON`,
      `400 POST ${path} from ADDR: body could not be read with its Content-Encoding and Content-Length`,
      `415 POST ${path} from ADDR: Content-Encoding must be one of identity, gzip, deflate, br`,
      `413 POST ${path} from ADDR: body must be at most 64 KB of JSON`,
    ]);
    expect(lines[0].message).toMatch(/ from (::ffff:)?127\.0\.0\.1: /);
    for (const line of lines) {
      expect(line.message).not.toContain(MARKER);
      expect(line.message).not.toContain('\n');
    }
  });
});

describe('__proto__, constructor and prototype are refused as unknown fields', () => {
  const valid = { officerId: 'proto-1', name: 'Proto Test' };
  it.each(['__proto__', 'constructor', 'prototype'])('%s at the top level, with an otherwise valid body', async (key) => {
    // JSON text, not an object literal: JSON.parse makes "__proto__" an own key, as it does for a client's body.
    const text = JSON.stringify(valid).replace(/}$/, `,"${key}":{"isAdmin":true}}`);
    const message = await refusedWith(400, () => raw(OFFICERS, text, JSON_TYPE));
    expect(message).toEqual([`property ${key} should not exist`]);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('nested, beside other field messages, and in a query string', async () => {
    const text = '{"officerId":"proto-2","name":{"__proto__":{"x":1}},"extra":{"constructor":{"prototype":1}}}';
    const message = await refusedWith(400, () => raw(OFFICERS, text, JSON_TYPE));
    expect(message).toEqual(expect.arrayContaining(['name must be a string', 'property extra should not exist', 'property name.__proto__ should not exist', 'property extra.constructor should not exist']));
    const res = await h.http().get(`/api/agencies/${A}/status?__proto__=1&asOf=2025-10-01`).set('Authorization', `Bearer ${auditor}`);
    expect({ status: res.status, message: res.body.message }).toEqual({ status: 400, message: expect.arrayContaining(['property __proto__ should not exist']) });
  });
});

describe('free text that cannot deceive', () => {
  const o = `/agencies/${A}/officers/o1`;
  /** Every free-text field, on its route, with a body that is valid but for that field. */
  const fields: [field: string, path: string, body: (value: string) => object][] = [
    ['version', `/agencies/${A}/policies`, (v) => ({ version: v, adoptedOn: '2025-08-15' })],
    ['reason', `/agencies/${A}/retractions`, (v) => ({ eventId: randomUUID(), reason: v })],
    ['name', OFFICERS, (v) => ({ officerId: 'text-1', name: v })],
    ['licenseNumber', OFFICERS, (v) => ({ officerId: 'text-2', name: 'N', licenseNumber: v })],
    ['schools', `${o}/assignments`, (v) => ({ assignmentId: 'text-a', schools: ['Anoka High School', v], startDate: '2025-09-02' })],
    ['reason', `${o}/assignments/a1/training-unavailable`, (v) => ({ declaredOn: '2025-08-20', reason: v })],
    ['school', `${o}/substitute-days`, (v) => ({ date: '2025-10-01', school: v })],
    ['provider', `${o}/trainings`, (v) => ({ trainingId: 'text-t', course: 'MN_SRO_BASIC', completedOn: '2025-08-20', provider: v })],
    ['courseNumber', `${o}/trainings`, (v) => ({ trainingId: 'text-t', course: 'MN_SRO_BASIC', completedOn: '2025-08-20', courseNumber: v })],
    ['fileName', `${o}/trainings/t1/certificate`, (v) => ({ sha256: 'a'.repeat(64), fileName: v, filedOn: '2025-08-25' })],
    ['version', `${o}/policy-reviews`, (v) => ({ version: v, reviewedOn: '2025-08-28' })],
    ['reason', `${o}/retractions`, (v) => ({ eventId: randomUUID(), reason: v })],
  ];
  const forbidden: [kind: string, values: string[], message: RegExp][] = [
    ['blank', ['   ', '\u00a0\u3000', '\u200b', '\ufeff '], /must not be blank$/],
    ['control', ['a\u0000b', 'line 1\nline 2', 'a\rb', 'tab\there', 'a\u007fb', 'a\u0085b'], /must not contain control characters/],
    ['ANSI escape', ['\u001b[31mred\u001b[0m', 'a\u009b2Jb', '\u001b]8;;http://x\u0007link'], /must not contain terminal escape sequences/],
    ['bidi', ['invoice\u202Egpj.exe', '\u202Aa', '\u202Ba', '\u202Ca', '\u202Da', '\u2066a\u2069', '\u2067a', '\u2068a'], /must not contain Unicode bidirectional control characters/],
    ['lone surrogate', ['a\ud800b', '\udfffa'], /must be well-formed Unicode text$/],
  ];

  it.each(forbidden)('%s is refused in every free-text field, with a field message', async (_kind, values, pattern) => {
    for (const [field, path, body] of fields) {
      for (const value of values) {
        const message = await refusedWith(400, () => post(path, body(value)));
        const line = message.find((m) => pattern.test(m));
        expect({ field, value, line }).toEqual({ field, value, line: field === 'schools' ? expect.stringMatching(/^each value in schools /) : expect.stringMatching(new RegExp(`^${field} `)) });
      }
    }
  });

  it('ordinary text of any script is taken, and stored as NFC: "Jose\\u0301" is stored and hashed as "José"', async () => {
    const res = await post(OFFICERS, { officerId: 'nfc-1', name: 'Jose\u0301 Nun\u0303ez', licenseNumber: 'A\u030a-1' });
    expect(res.status).toBe(201);
    const assign = await post(`${OFFICERS}/nfc-1/assignments`, { assignmentId: 'nfc-a', schools: ['E\u0301cole Saint-Jean', 'Hmoob Tsev Kawm Ntawv 學校 🏫'], startDate: '2025-09-02' });
    expect(assign.status).toBe(201);
    const [registered, assigned] = await h.store.readStream(officerStream(A, 'nfc-1'));
    expect(registered.data).toMatchObject({ name: 'Jos\u00e9 Nu\u00f1ez', licenseNumber: '\u00c5-1' });
    expect((assigned.data as { schools: string[] }).schools).toEqual(['\u00c9cole Saint-Jean', 'Hmoob Tsev Kawm Ntawv 學校 🏫']);
    // What the history shows is what was hashed: the chain verifies over the NFC text.
    const history = await h.http().get(`/api${OFFICERS}/nfc-1/history`).set('Authorization', `Bearer ${auditor}`);
    const shown = history.body.events.find((e: { eventId: string }) => e.eventId === registered.eventId);
    expect(shown.data.name).toBe((registered.data as { name: string }).name);
    const integrity = await h.http().get(`/api/agencies/${A}/integrity`).set('Authorization', `Bearer ${admin}`);
    expect(integrity.body.ok).toBe(true);
  });

  it('an idempotent retry in another normal form is the same request', async () => {
    const first = await post(OFFICERS, { officerId: 'nfc-2', name: 'Zoe\u0308' }).set('Idempotency-Key', 'nfc-retry');
    const again = await post(OFFICERS, { officerId: 'nfc-2', name: 'Zo\u00eb' }).set('Idempotency-Key', 'nfc-retry');
    expect(first.status).toBe(201);
    expect({ status: again.status, body: again.body }).toEqual({ status: 201, body: first.body });
  });
});

describe('the bulk import takes the same refusals', () => {
  it('rejects a bidi or control character in a CSV row, stores NFC, and refuses a __proto__ column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sro-hard-'));
    const file = join(dir, 'import.csv');
    writeFileSync(
      file,
      ['command,officerId,name,licenseNumber', 'RegisterOfficer,imp-1,Ren\u00e9e\u202E,', 'RegisterOfficer,imp-2,Ok Name,L\u001b[2J', 'RegisterOfficer,imp-3,Rene\u0301e Import,'].join('\n') + '\n',
    );
    const report = await h.app.get(BulkImporter).import(readCsvCommands(file), { agencyId: A, recordedBy: 'import-test' });
    expect(report.accepted).toBe(1);
    expect(report.rejected.map((r) => ({ line: r.line, status: r.statusCode, messages: r.messages }))).toEqual([
      { line: 2, status: 400, messages: ['name must not contain Unicode bidirectional control characters (U+202A-U+202E, U+2066-U+2069)'] },
      { line: 3, status: 400, messages: ['licenseNumber must not contain terminal escape sequences (ESC, CSI)'] },
    ]);
    const [registered] = await h.store.readStream(officerStream(A, 'imp-3'));
    expect((registered.data as { name: string }).name).toBe('Ren\u00e9e Import');

    const polluted = join(dir, 'proto.csv');
    writeFileSync(polluted, 'command,officerId,name,__proto__\nRegisterOfficer,imp-4,Name,{}\n');
    await expect(readCsvCommands(polluted).next()).rejects.toThrow(CsvFormatError);
  });
});

describe('headers', () => {
  const expectHardened = (res: { headers: Record<string, string | undefined> }) => {
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
  };

  it('helmet and Cache-Control: no-store on every /api answer: 200, 201, CSV, 400, 401, 403, 404, 413, 415', async () => {
    const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
    const answers = [
      await h.http().get('/api/health'),
      await h.http().get(`/api${OFFICERS}/o1/status?asOf=2025-10-01`).set(auth(auditor)),
      await h.http().get(`/api/agencies/${A}/status`).set(auth(admin)).set('Accept', 'text/csv'),
      await h.http().get(`/api${OFFICERS}/o1/history`).set(auth(auditor)),
      await post(OFFICERS, { officerId: 'hdr-1', name: 'Header Test' }),
      await post(OFFICERS, { officerId: 'hdr-1' }),
      await h.http().get(`/api/agencies/${A}/status`),
      await post(OFFICERS, { officerId: 'hdr-2', name: 'X' }, auditor),
      await h.http().get(`/api${OFFICERS}/nobody/status`).set(auth(auditor)),
      await h.http().get('/api/no-such-route'),
      await raw(OFFICERS, 'x'.repeat(70 * 1024), JSON_TYPE),
      await raw(OFFICERS, 'a=b', { 'Content-Type': 'application/x-www-form-urlencoded' }),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 201, 400, 401, 403, 404, 404, 413, 415]);
    for (const res of answers) expectHardened(res);
    // Every error answer has the shape of docs/reference.md#errors, `message` an array (Nest's own
    // 404 included).
    for (const res of answers.filter((r) => r.status >= 400)) expect(Array.isArray(res.body.message)).toBe(true);
  });
});
