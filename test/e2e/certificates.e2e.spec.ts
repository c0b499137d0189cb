/**
 * Certificate files (docs/decisions.md W21, W39) through the routes, on SQLite and on PostgreSQL: a
 * PDF uploaded as multipart is checked by its bytes (a renamed text file, a truncated PDF: 415),
 * hashed by the server, stored with its event in one transaction, served back byte for byte to
 * admin, chief and investigator (not the auditor), and refused on download once altered in the
 * database, which verify and the integrity route also catch.
 */
import { createHash } from 'node:crypto';
import { certificatePdf, objectStreamPdf, polyglotPdf } from '../support/pdf';
import { editStoredFile } from '../support/tamper';
import { Harness, startHarness, storeHeads } from './http-harness';

const A = 'cert-pd';
let h: Harness;
let tokens: Record<'admin' | 'auditor' | 'chief' | 'investigator', string>;
let pdf: Buffer;
const base = `/api/agencies/${A}/officers/o1/trainings/t1/certificate`;

beforeAll(async () => {
  h = await startHarness();
  tokens = await h.agency(A);
  const post = (path: string, body: object) => h.http().post(`/api/agencies/${A}${path}`).set('Authorization', `Bearer ${tokens.admin}`).send(body).expect(201);
  await post('/officers', { officerId: 'o1', name: 'Quinn Filer' });
  await post('/officers/o1/trainings', { trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2025-08-20' });
  pdf = await certificatePdf();
});
afterAll(() => h.close());

const upload = (bytes: Buffer, name = 'quinn-basic.pdf', fields: Record<string, string> = { filedOn: '2025-08-25' }, token = tokens.admin) => {
  let req = h.http().post(base).set('Authorization', `Bearer ${token}`).attach('file', bytes, { filename: name, contentType: 'application/pdf' });
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  return req;
};

describe('upload', () => {
  it('refuses what is not a PDF by its bytes, whatever its name or declared type (415), and records nothing', async () => {
    const before = await storeHeads(h.store);
    const text = await upload(Buffer.from('just some text, not a certificate'), 'looks-like.pdf');
    expect(text.status).toBe(415);
    expect(text.body.message[0]).toMatch(/not a PDF/);
    const truncated = await upload(pdf.subarray(0, 40), 'cut.pdf');
    expect(truncated.status).toBe(415);
    expect(truncated.body.message[0]).toMatch(/cannot be read as one/);
    expect(await storeHeads(h.store)).toBe(before);
  });

  it('refuses a sha256 or fileName field in the upload (the server computes them) and a missing filedOn (400)', async () => {
    expect((await upload(pdf, 'a.pdf', { filedOn: '2025-08-25', sha256: 'a'.repeat(64) })).status).toBe(400);
    const missing = await upload(pdf, 'a.pdf', {});
    expect(missing.status).toBe(400);
    expect(missing.body.message.join(' ')).toMatch(/filedOn/);
  });

  it('records the server-computed SHA-256 and the file name, and stores the file with the event', async () => {
    const res = await upload(pdf);
    expect(res.status).toBe(201);
    const history = await h.http().get(`/api/agencies/${A}/officers/o1/history`).set('Authorization', `Bearer ${tokens.admin}`).expect(200);
    const filed = history.body.events.find((e: { type: string }) => e.type === 'CertificateFiled');
    expect(filed.data).toEqual({ trainingId: 't1', sha256: createHash('sha256').update(pdf).digest('hex'), fileName: 'quinn-basic.pdf', filedOn: '2025-08-25', fileStored: true });
    expect(await h.store.readFile(filed.data.sha256)).toEqual(pdf);
  });
});

describe('download', () => {
  it('returns the stored PDF byte for byte to admin, chief and investigator; the auditor may not', async () => {
    for (const role of ['admin', 'chief', 'investigator'] as const) {
      const res = await h.http().get(base).set('Authorization', `Bearer ${tokens[role]}`).buffer(true).parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c)).on('end', () => done(null, Buffer.concat(chunks)));
      });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/application\/pdf/);
      expect(res.headers['x-content-sha256']).toBe(createHash('sha256').update(pdf).digest('hex'));
      expect(Buffer.compare(res.body as Buffer, pdf)).toBe(0);
    }
    expect((await h.http().get(base).set('Authorization', `Bearer ${tokens.auditor}`)).status).toBe(403);
  });

  it('a file altered in the database is refused on download and caught by the integrity route', async () => {
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    await editStoredFile(h, sha256, (bytes) => Buffer.concat([bytes, Buffer.from('%% appended by someone with database access\n')]));
    const res = await h.http().get(base).set('Authorization', `Bearer ${tokens.admin}`);
    expect(res.status).toBe(409);
    expect(res.body.message[0]).toMatch(/no longer matches the SHA-256/);
    const integrity = await h.http().get(`/api/agencies/${A}/integrity`).set('Authorization', `Bearer ${tokens.investigator}`).expect(200);
    expect(integrity.body.ok).toBe(false);
    expect(integrity.body.firstBroken.reason).toMatch(/certificate file .* was altered/);
  });
});

const download = (path: string, token = tokens.admin) =>
  h.http().get(path).set('Authorization', `Bearer ${token}`).buffer(true).parse((r, done) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c)).on('end', () => done(null, Buffer.concat(chunks)));
  });

describe('what a download is', () => {
  it('an HTML polyglot uploaded as polyglot.html downloads as an attachment named .pdf, application/pdf, nosniff, sandboxed', async () => {
    await h.http().post(`/api/agencies/${A}/officers/o1/trainings`).set('Authorization', `Bearer ${tokens.admin}`).send({ trainingId: 'poly', course: 'MN_SRO_BASIC', completedOn: '2025-08-20' }).expect(201);
    const bytes = await polyglotPdf();
    expect(bytes.toString('latin1')).toMatch(/^%PDF-[\d.]+\n%<html><body><script>/);
    const path = `/api/agencies/${A}/officers/o1/trainings/poly/certificate`;
    const res = await h.http().post(path).set('Authorization', `Bearer ${tokens.admin}`).attach('file', bytes, { filename: 'polyglot.html', contentType: 'text/html' }).field('filedOn', '2025-08-25');
    expect(res.status).toBe(201);
    const got = await download(path);
    expect(got.status).toBe(200);
    expect(Buffer.compare(got.body as Buffer, bytes)).toBe(0);
    expect(got.headers['content-type']).toBe('application/pdf');
    expect(got.headers['content-disposition']).toBe(`attachment; filename="polyglot.html.pdf"; filename*=UTF-8''polyglot.html.pdf`);
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(got.headers['content-security-policy']).toMatch(/(^|; )sandbox(;|$)/);
    // The recorded name stays what was uploaded (the log is immutable); only the download's name is made safe.
    const history = await h.http().get(`/api/agencies/${A}/officers/o1/history`).set('Authorization', `Bearer ${tokens.admin}`).expect(200);
    expect(history.body.events.find((e: { type: string; data: { trainingId?: string } }) => e.type === 'CertificateFiled' && e.data.trainingId === 'poly').data.fileName).toBe('polyglot.html');
  });
});

describe('a decompression bomb', () => {
  it('a 1 MB PDF inflating to 1 GB is refused (413) and records nothing; /api/health/live answers within 200 ms throughout', async () => {
    const bomb = objectStreamPdf(1024);
    const before = await storeHeads(h.store);
    const rssBefore = process.memoryUsage().rss;
    let done = false;
    const upload = h.http().post(base).set('Authorization', `Bearer ${tokens.admin}`).attach('file', bomb, { filename: 'bomb.pdf', contentType: 'application/pdf' }).field('filedOn', '2025-08-25').then((res) => {
      done = true;
      return res;
    });
    const latencies: number[] = [];
    while (!done) {
      const started = performance.now();
      await h.http().get('/api/health/live').expect(200);
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const res = await upload;
    expect(res.status).toBe(413);
    expect(res.body.message[0]).toMatch(/^file: the PDF holds compressed data that inflates to more than 32 MB/);
    expect(latencies.length).toBeGreaterThan(0);
    expect(Math.max(...latencies)).toBeLessThan(200);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(300 * 1024 * 1024);
    expect(await storeHeads(h.store)).toBe(before);
  });
});

describe('file names in any script', () => {
  const cases = [
    { trainingId: 'n-jose', name: 'José.pdf', ascii: 'Jose.pdf', encoded: 'Jos%C3%A9.pdf' },
    { trainingId: 'n-cv', name: 'résumé 证书.pdf', ascii: 'resume __.pdf', encoded: 'r%C3%A9sum%C3%A9%20%E8%AF%81%E4%B9%A6.pdf' },
    { trainingId: 'n-quote', name: "Quinn's (final) *copy* 100%.pdf", ascii: "Quinn's (final) *copy* 100_.pdf", encoded: 'Quinn%27s%20%28final%29%20%2Acopy%2A%20100%25.pdf' },
  ];

  it('are recorded as sent (UTF-8) and download with an RFC 5987 filename* and an ASCII fallback; control characters are still refused', async () => {
    // A file of its own: the shared one is altered in the store by the download tests above.
    const named = await certificatePdf('Certificate of completion: Jos\u00e9 R\u00e9sum\u00e9');
    for (const c of cases) {
      await h.http().post(`/api/agencies/${A}/officers/o1/trainings`).set('Authorization', `Bearer ${tokens.admin}`).send({ trainingId: c.trainingId, course: 'MN_SRO_BASIC', completedOn: '2025-08-20' }).expect(201);
      const path = `/api/agencies/${A}/officers/o1/trainings/${c.trainingId}/certificate`;
      const res = await h.http().post(path).set('Authorization', `Bearer ${tokens.admin}`).attach('file', named, { filename: c.name, contentType: 'application/pdf' }).field('filedOn', '2025-08-25');
      expect({ name: c.name, status: res.status, body: res.body }).toEqual({ name: c.name, status: 201, body: expect.anything() });
      const got = await download(path);
      expect(got.headers['content-disposition']).toBe(`attachment; filename="${c.ascii}"; filename*=UTF-8''${c.encoded}`);
      expect(decodeURIComponent(c.encoded)).toBe(c.name);
    }
    const history = await h.http().get(`/api/agencies/${A}/officers/o1/history`).set('Authorization', `Bearer ${tokens.admin}`).expect(200);
    const recorded = (id: string) => history.body.events.find((e: { type: string; data: { trainingId?: string } }) => e.type === 'CertificateFiled' && e.data.trainingId === id).data.fileName;
    expect(cases.map((c) => recorded(c.trainingId))).toEqual(cases.map((c) => c.name));
    // Decoded as UTF-8, a control character is still one, and still refused (400), recording nothing.
    const before = await storeHeads(h.store);
    const res = await upload(named, 'evil\u009b31m.pdf');
    expect(res.status).toBe(400);
    expect(res.body.message[0]).toMatch(/^fileName must not contain terminal escape sequences/);
    expect(await storeHeads(h.store)).toBe(before);
  });

});
