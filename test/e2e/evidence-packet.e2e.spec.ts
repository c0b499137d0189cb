/**
 * The evidence packet (docs/reference.md "Evidence packet"; docs/integrity.md "The evidence
 * packet"): made by the API and by the CLI, it verifies offline with the agency's verifier key;
 * flipping a byte of any file, dropping an event, editing report.json, swapping a certificate or a
 * checkpoint signed by another key each fail, naming what failed. Its PDF names every officer and
 * their status (pdftotext). The packet never carries the access stream or another agency's events,
 * and each one made is in the access log.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCheckpoint, signCheckpoint, verifierKey } from '../../events/checkpoint';
import { verifyEvidence } from '../../src/evidence/verify/verify-evidence';
import { runMain } from '../support/cli-in-process';
import { buildCli, root } from '../support/cli-process';
import { certificatePdf } from '../support/pdf';
import { unzip, zipOf } from '../support/zip';
import { startHarness, type Harness } from './http-harness';

const A = 'evidence-pd';
const B = 'elsewhere-pd';
const CLAUSES = { dutiesPerSubd2: '§2', attire: '§3', districtRoleInSelection: '§4', deescalationResources: null, publicNotification: '§6', dataPractices: '§7' };
let h: Harness;
let tokens: Record<string, string>;
let key: string;
let packet: Map<string, Buffer>;
let zip: Buffer;
let dir: string;

const binary = (res: import('supertest').Response, callback: (err: Error | null, body: Buffer) => void) => {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => callback(null, Buffer.concat(chunks)));
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sro-evidence-test-'));
  h = await startHarness();
  tokens = await h.agency(A);
  const other = await h.agency(B);
  const post = (path: string, body: object) => h.http().post(`/api/agencies/${A}${path}`).set('Authorization', `Bearer ${tokens.admin}`).send(body).expect(201);
  await post('/policies', { version: '2025-10', adoptedOn: '2025-08-15' });
  await post('/contracts', { contractId: 'isd191', district: 'ISD 191', schools: ['Central High School'], effectiveFrom: '2025-08-01', effectiveTo: '2026-06-30', clauses: CLAUSES });
  await post('/officers', { officerId: 'jdoe', name: 'Jordan Doe', licenseNumber: '12345' });
  await post('/officers/jdoe/assignments', { assignmentId: 'hs', schools: ['Central High School'], startDate: '2025-09-02' });
  await post('/officers/jdoe/trainings', { trainingId: 'basic-1', course: 'MN_SRO_BASIC', completedOn: '2025-08-20' });
  await h
    .http()
    .post(`/api/agencies/${A}/officers/jdoe/trainings/basic-1/certificate`)
    .set('Authorization', `Bearer ${tokens.admin}`)
    .attach('file', await certificatePdf(), { filename: 'jdoe-basic.pdf', contentType: 'application/pdf' })
    .field('filedOn', '2025-08-25')
    .expect(201);
  await post('/officers/jdoe/policy-reviews', { version: '2025-10', reviewedOn: '2025-08-28' });
  await post('/officers', { officerId: 'sroe', name: 'Sam Roe' });
  await post('/officers/sroe/assignments', { assignmentId: 'ms', schools: ['North Middle School'], startDate: '2025-09-02' });
  const mistake = await post('/officers/sroe/substitute-days', { date: '2025-09-03', school: 'North Middle School' });
  await post('/officers/sroe/retractions', { eventId: mistake.body.eventId, reason: 'entered by mistake' });
  await post('/officers', { officerId: 'kim', name: 'Kim Smiht' });
  await post('/officers/kim/corrections', { name: 'Kim Smith', reason: 'misspelled' });
  await h.http().post(`/api/agencies/${B}/officers`).set('Authorization', `Bearer ${other.admin}`).send({ officerId: 'zed', name: 'Zed Elsewhere' }).expect(201);
  key = (await h.http().get('/api/ledger/key').set('Authorization', `Bearer ${tokens.auditor}`).expect(200)).text.trim();
  const res = await h.http().get(`/api/agencies/${A}/evidence?asOf=2025-10-01`).set('Authorization', `Bearer ${tokens.auditor}`).buffer(true).parse(binary).expect(200);
  expect(res.headers['content-type']).toBe('application/zip');
  expect(res.headers['content-disposition']).toBe(`attachment; filename="${A}-evidence-2025-10-01.zip"`);
  zip = res.body as Buffer;
  packet = await unzip(zip);
}, 120_000);
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

const certificateName = () => [...packet.keys()].find((n) => /^certificates\/.+\.pdf$/.test(n))!;

describe('a packet made by the API', () => {
  it('holds exactly the pinned files, the certificate filed among them', () => {
    expect([...packet.keys()].filter((n) => !n.startsWith('certificates/')).sort()).toEqual(['README.txt', 'checkpoint.txt', 'events.jsonl', 'manifest.json', 'proofs.json', 'public-key.txt', 'report.json', 'report.pdf']);
    expect(packet.has('certificates/')).toBe(true);
    expect([...packet.keys()].filter((n) => n.startsWith('certificates/') && n !== 'certificates/')).toHaveLength(1);
    expect(packet.get('public-key.txt')!.toString().trim()).toBe(key);
  });

  it('verifies with the agency verifier key, and says what it checked', async () => {
    const verdict = await verifyEvidence(zip, { publicKey: key });
    expect(verdict).toMatchObject({ ok: true, agencyId: A, officers: 3, certificates: 1, ownKeyOnly: false });
    if (verdict.ok) expect(verdict.summary[0]).toMatch(/^verified: the evidence packet of agency evidence-pd/);
  });

  it('without a key given, verifies against its own key and says that proves nothing against the agency', async () => {
    const verdict = await verifyEvidence(zip);
    expect(verdict.ok).toBe(true);
    if (verdict.ok) expect(verdict.summary.join('\n')).toMatch(/proves nothing against the agency/);
  });

  it("report.json has the agency report's rows, as GET .../status answers them", async () => {
    const report = JSON.parse(packet.get('report.json')!.toString());
    const status = (await h.http().get(`/api/agencies/${A}/status?asOf=2025-10-01&knownAt=${encodeURIComponent(report.knownAt)}`).set('Authorization', `Bearer ${tokens.auditor}`).expect(200)).body;
    const rows = (r: { officers: Record<string, unknown>[] }) => r.officers.map(({ officerId, name, status: s, restrictedDuties, findings }) => ({ officerId, name, status: s, restrictedDuties, findings }));
    expect(rows(report)).toEqual(rows(status));
    expect(report.counts).toEqual(status.counts);
    expect(report.agencyFindings).toEqual(status.agencyFindings);
    expect(report.officers.find((o: { officerId: string }) => o.officerId === 'kim').name).toBe('Kim Smith');
  });

  it("carries the agency's streams only: no access stream, no token or password, no other agency", () => {
    const text = packet.get('events.jsonl')!.toString();
    const streams = new Set(text.trim().split('\n').map((l) => JSON.parse(l).stream as string));
    expect([...streams].sort()).toEqual([`agency-${A}`, `officer-${A}/jdoe`, `officer-${A}/kim`, `officer-${A}/sroe`, `roster-${A}`]);
    expect(text).not.toMatch(/tokenSha256|TokenIssued|password|access-log|Zed Elsewhere/);
  });

  it('is recorded in the access log: who, asOf and knownAt, how many officers', async () => {
    const { entries } = (await h.http().get(`/api/agencies/${A}/access-log`).set('Authorization', `Bearer ${tokens.investigator}`).expect(200)).body;
    const entry = entries.find((e: { kind: string }) => e.kind === 'evidence-packet');
    expect(entry).toMatchObject({ kind: 'evidence-packet', officerCount: 3, asOf: '2025-10-01', format: 'zip', route: 'GET /api/agencies/:agencyId/evidence', principal: { kind: 'token', name: 'auditor-token', role: 'auditor' } });
    expect(entry.knownAt).toBe(JSON.parse(packet.get('report.json')!.toString()).knownAt);
  });

  it("report.pdf names every officer and their status, the two times and the page numbers (pdftotext)", () => {
    const file = join(dir, 'report.pdf');
    writeFileSync(file, packet.get('report.pdf')!);
    // To look at the pages: EVIDENCE_PDF_OUT=/tmp/report.pdf, then pdftoppm -png -r 60 /tmp/report.pdf page
    if (process.env.EVIDENCE_PDF_OUT) writeFileSync(process.env.EVIDENCE_PDF_OUT, packet.get('report.pdf')!);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    const report = JSON.parse(packet.get('report.json')!.toString());
    for (const o of report.officers) {
      expect(text).toContain(o.name);
      expect(text).toContain(`(${o.status})`);
    }
    expect(text).toMatch(/Status on 2025-10-01 \(effective date, Minnesota\) as the records stood at/);
    const pages = Number(/Page 1 of (\d+)/.exec(text)![1]);
    expect(text).toContain(`Page ${pages} of ${pages}`);
    expect(text).toContain('Contents');
    expect(text).toContain(JSON.parse(JSON.stringify(parseCheckpoint(packet.get('checkpoint.txt')!.toString()).checkpoint.rootHash)));
  });

  it('refuses what it cannot answer: an unknown agency 404 (for its own token 403), a bad asOf 400', async () => {
    await h.http().get(`/api/agencies/${B}/evidence`).set('Authorization', `Bearer ${tokens.auditor}`).expect(403);
    await h.http().get(`/api/agencies/${A}/evidence?asOf=2025-02-30`).set('Authorization', `Bearer ${tokens.auditor}`).expect(400);
  });
});

describe('a tampered packet fails, naming the first thing that does not hold', () => {
  const flip = (bytes: Buffer, at = Math.floor(bytes.length / 2)) => {
    const copy = Buffer.from(bytes);
    copy[at] ^= 0x01;
    return copy;
  };
  const failure = async (files: Map<string, Buffer>, options: { manifest?: boolean; publicKey?: string } = {}) => {
    const verdict = await verifyEvidence(await zipOf(files, options), { publicKey: options.publicKey ?? key });
    expect(verdict.ok).toBe(false);
    return verdict.ok ? '' : verdict.failure;
  };

  it.each(['README.txt', 'report.json', 'report.pdf', 'events.jsonl', 'checkpoint.txt', 'proofs.json', 'public-key.txt', 'certificate'])('one byte of %s flipped: the manifest', async (name) => {
    const file = name === 'certificate' ? certificateName() : name;
    const files = new Map(packet);
    files.set(file, flip(files.get(file)!));
    expect(await failure(files)).toBe(`manifest.json: the SHA-256 of ${file} does not match: the file was changed after the packet was made`);
  });

  it('one byte of manifest.json flipped', async () => {
    const files = new Map(packet);
    const manifest = files.get('manifest.json')!;
    const at = manifest.indexOf('"report.json": "') + 20;
    files.set('manifest.json', flip(manifest, at));
    expect(await failure(files)).toMatch(/^manifest\.json: the SHA-256 of report\.json does not match/);
  });

  const lines = () => packet.get('events.jsonl')!.toString().trim().split('\n');
  const jdoeEvents = () => lines().filter((l) => JSON.parse(l).stream === `officer-${A}/jdoe`);

  it('an event dropped (and its proof), the manifest recomputed: the stream chain breaks', async () => {
    const dropped = JSON.parse(jdoeEvents()[1]);
    const files = new Map(packet);
    files.set('events.jsonl', Buffer.from(`${lines().filter((l) => JSON.parse(l).eventId !== dropped.eventId).join('\n')}\n`));
    const proofs = JSON.parse(packet.get('proofs.json')!.toString());
    proofs.proofs = proofs.proofs.filter((p: { eventId: string }) => p.eventId !== dropped.eventId);
    files.set('proofs.json', Buffer.from(JSON.stringify(proofs)));
    expect(await failure(files, { manifest: true })).toBe(
      `events.jsonl: the hash chain of officer-${A}/jdoe is broken at revision 2 (event ${JSON.parse(jdoeEvents()[2]).eventId}): expected revision 1, found 2: an event is missing or out of order`,
    );
  });

  it('the last event of a stream dropped, its proof kept: the proof names it', async () => {
    const last = JSON.parse(jdoeEvents().at(-1)!);
    const files = new Map(packet);
    files.set('events.jsonl', Buffer.from(`${lines().filter((l) => JSON.parse(l).eventId !== last.eventId).join('\n')}\n`));
    expect(await failure(files, { manifest: true })).toBe(`proofs.json proves the event ${last.eventId}, which events.jsonl does not hold: an event was removed`);
  });

  // proofs.json is read as it is inflated (src/evidence/verify/json-array-members.ts): the same JSON in another order or spacing verifies, a proof altered or the tree changed in it does not.
  it('proofs.json rewritten with its header after the list and spaced differently, the manifest recomputed: it still verifies', async () => {
    const proofs = JSON.parse(packet.get('proofs.json')!.toString());
    const files = new Map(packet);
    files.set('proofs.json', Buffer.from(JSON.stringify({ proofs: proofs.proofs, rootHash: proofs.rootHash, treeSize: proofs.treeSize }, null, 3)));
    expect((await verifyEvidence(await zipOf(files, { manifest: true }), { publicKey: key })).ok).toBe(true);
  });

  it('proofs.json with a proof hash changed, its header after the list, the manifest recomputed: the proof names the event', async () => {
    const proofs = JSON.parse(packet.get('proofs.json')!.toString());
    const changed = proofs.proofs.findIndex((p: { proof: string[] }) => p.proof.length > 0);
    proofs.proofs[changed].proof[0] = proofs.proofs[changed].proof[0].replace(/^./, (c: string) => (c === '0' ? '1' : '0'));
    const files = new Map(packet);
    files.set('proofs.json', Buffer.from(JSON.stringify({ proofs: proofs.proofs, treeSize: proofs.treeSize, rootHash: proofs.rootHash })));
    expect(await failure(files, { manifest: true })).toMatch(new RegExp(`^proofs\\.json: event ${proofs.proofs[changed].eventId} \\(.*\\) is not in the checkpoint's tree: its inclusion proof does not verify$`));
  });

  it('proofs.json for another tree size, the manifest recomputed: named before any proof', async () => {
    const proofs = JSON.parse(packet.get('proofs.json')!.toString());
    const files = new Map(packet);
    files.set('proofs.json', Buffer.from(JSON.stringify({ ...proofs, treeSize: proofs.treeSize + 1 })));
    expect(await failure(files, { manifest: true })).toMatch(/^proofs\.json is for the tree of \d+ events with root [0-9a-f]{64}, not checkpoint\.txt's/);
  });

  it('proofs.json holding two lists of proofs (JSON.parse would keep the last), the manifest recomputed: refused', async () => {
    const text = packet.get('proofs.json')!.toString().trim();
    const files = new Map(packet);
    files.set('proofs.json', Buffer.from(`${text.slice(0, -1)},"proofs":[]}`));
    expect(await failure(files, { manifest: true })).toBe('proofs.json holds no list of proofs');
  });

  // events.jsonl is checked as it is read when each stream's events are together and in revision order (as a packet is made); otherwise every event is kept and sorted, as before.
  it('events.jsonl with its lines reversed, the manifest recomputed: it still verifies (every event kept and sorted)', async () => {
    const files = new Map(packet);
    files.set('events.jsonl', Buffer.from(`${[...lines()].reverse().join('\n')}\n`));
    const verdict = await verifyEvidence(await zipOf(files, { manifest: true }), { publicKey: key });
    expect(verdict).toMatchObject({ ok: true, agencyId: A, officers: 3, certificates: 1 });
  });

  it('events.jsonl reversed and an event dropped, the manifest recomputed: the same chain break as in order', async () => {
    const dropped = JSON.parse(jdoeEvents()[1]);
    const files = new Map(packet);
    files.set('events.jsonl', Buffer.from(`${[...lines()].reverse().filter((l) => JSON.parse(l).eventId !== dropped.eventId).join('\n')}\n`));
    expect(await failure(files, { manifest: true })).toBe(
      `events.jsonl: the hash chain of officer-${A}/jdoe is broken at revision 2 (event ${JSON.parse(jdoeEvents()[2]).eventId}): expected revision 1, found 2: an event is missing or out of order`,
    );
  });

  it('report.json edited (a status changed), the manifest recomputed: the rules engine disagrees', async () => {
    const report = JSON.parse(packet.get('report.json')!.toString());
    const at = report.officers.findIndex((o: { officerId: string }) => o.officerId === 'sroe');
    const was = report.officers[at].status;
    report.officers[at].status = 'COMPLIANT';
    const files = new Map(packet);
    files.set('report.json', Buffer.from(JSON.stringify(report, null, 2)));
    expect(await failure(files, { manifest: true })).toBe(`report.json is not what the rules engine derives from events.jsonl: report.officers[${at}].status: the packet says "COMPLIANT", the events give "${was}"`);
  });

  it('a certificate swapped for another PDF, the manifest recomputed: its SHA-256 against its event', async () => {
    const files = new Map(packet);
    const name = certificateName();
    files.set(name, await certificatePdf('Certificate of completion: some other course'));
    expect(await failure(files, { manifest: true })).toMatch(new RegExp(`^${name.replace(/[.]/g, '\\.')}: its SHA-256 [0-9a-f]{64} is not the [0-9a-f]{64} its CertificateFiled event .* records: the file is not the certificate filed$`));
  });

  it('a checkpoint signed by another key (and that key put in the packet): refused with the key given', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const { checkpoint } = parseCheckpoint(packet.get('checkpoint.txt')!.toString());
    const files = new Map(packet);
    files.set('checkpoint.txt', Buffer.from(signCheckpoint(checkpoint, privateKey, publicKey)));
    files.set('public-key.txt', Buffer.from(`${verifierKey(checkpoint.origin, publicKey)}\n`));
    expect(await failure(files, { manifest: true })).toMatch(/^checkpoint\.txt is not signed by the verifier key given: the note carries no signature by the key /);
    // The packet's own key alone cannot tell: that is why the published key is given.
    expect((await verifyEvidence(await zipOf(files, { manifest: true }))).ok).toBe(true);
  });

  it('a file added that the packet should not hold', async () => {
    const files = new Map(packet);
    files.set('notes.txt', Buffer.from('trust me'));
    expect(await failure(files, { manifest: true })).toBe('the packet holds a file it should not: notes.txt');
  });
});

describe('a packet made by the CLI', () => {
  it('is written to --out and verifies with verify-evidence (exit 0), a tampered one exits 1 naming the failure', async () => {
    const env = { ...process.env, SRO_STORE: h.storeUrl, SRO_KEY_FILE: h.keyFile, NODE_ENV: 'test' };
    const out = join(dir, 'cli-packet.zip');
    const made = await runMain(env, 'evidence', '--agency', A, '--as-of', '2025-10-01', '--out', out);
    expect(made.stderr).toMatch(/Reading officers: 3 of 3/);
    expect(made.status).toBe(0);
    expect(made.stdout).toMatch(new RegExp(`^Evidence packet of agency ${A} written to `));
    const verified = await runMain({ PATH: process.env.PATH }, 'verify-evidence', out, '--public-key', key);
    expect(verified.status).toBe(0);
    expect(verified.stdout).toMatch(/^verified: the evidence packet of agency evidence-pd/);
    const files = await unzip(readFileSync(out));
    files.set('report.json', Buffer.from(files.get('report.json')!.toString().replace('"NON_COMPLIANT"', '"COMPLIANT"')));
    const tampered = join(dir, 'tampered.zip');
    writeFileSync(tampered, await zipOf(files));
    const refused = await runMain({ PATH: process.env.PATH }, 'verify-evidence', tampered, '--public-key', key);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe('NOT VERIFIED: manifest.json: the SHA-256 of report.json does not match: the file was changed after the packet was made\n');
  }, 60_000);
});

describe('verify-evidence needs no store', () => {
  it('runs as a recipient runs it, the built CLI in an empty folder with no SRO_STORE: exit 0, and no store or key is created', () => {
    buildCli();
    const empty = join(dir, 'recipient');
    mkdirSync(empty);
    writeFileSync(join(empty, 'packet.zip'), zip);
    const run = spawnSync(process.execPath, [join(root, 'dist/src/cli/main.js'), 'verify-evidence', 'packet.zip', '--public-key', key], { cwd: empty, env: { PATH: process.env.PATH }, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^verified: /);
    expect(readdirSync(empty)).toEqual(['packet.zip']);
  }, 120_000);
});
