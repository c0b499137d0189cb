/**
 * The offline verifier of an evidence packet (docs/integrity.md "The evidence packet";
 * docs/decisions.md W64): everything is checked on the zip alone, with no store, no server and no
 * Nest, in this order, and the first thing that does not hold is named:
 *
 *  1. the zip holds exactly the packet's files (src/evidence/verify/packet-format.ts);
 *  2. manifest.json: the SHA-256 of every other file;
 *  3. checkpoint.txt: its signature, by the verifier key given (`--public-key`), else by the
 *     packet's own public-key.txt (which proves nothing against the agency: said in the summary);
 *  4. events.jsonl: only the agency's streams, each a whole hash chain from its first event, every
 *     officer stream on the agency's roster and the reverse (events/integrity.ts), none recorded
 *     after knownAt;
 *  5. proofs.json: one inclusion proof per event, each verified against the checkpoint's root
 *     (RFC 9162 §2.1.3.2, events/merkle.ts), the leaves in the order of the events' positions;
 *  6. certificates/: each file's SHA-256 against its CertificateFiled event, every stored one present;
 *  7. report.json: derived again from events.jsonl by the rules engine and compared, field by field.
 *
 * Imports events/, projections/ (through derive-report.ts) and yauzl only.
 */
import { createHash } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import * as yauzl from 'yauzl';
import type { RecordedEvent } from '../../../events/envelope';
import { CheckpointError, parseCheckpoint, parseVerifierKey, verifyCheckpoint, type Checkpoint, type Verifier } from '../../../events/checkpoint';
import { ChainVerifier } from '../../../events/integrity';
import { eventLeafHash, verifyInclusion } from '../../../events/merkle';
import { ReportDeriver, type EvidenceReport } from './derive-report';
import { JsonArrayMembers } from './json-array-members';
import { CERTIFICATES_DIR, PACKET_FILES, packetStreamOf, type PacketManifest, type PacketProofs } from './packet-format';

/** A packet larger than this, or a file inflating past it, is refused (a zip bomb is not read). */
export const MAX_PACKET_BYTES = 2 * 1024 * 1024 * 1024;
const MAX_ENTRIES = 200_000;

export type EvidenceVerdict =
  | { ok: true; summary: string[]; agencyId: string; events: number; officers: number; certificates: number; checkpoint: Checkpoint; ownKeyOnly: boolean }
  | { ok: false; failure: string };

class Failure extends Error {}
function fail(message: string): never {
  throw new Failure(message);
}

/** The zip's entries by name (nothing read yet), refusing unsafe names, duplicates and oversized content. */
function listZip(archive: yauzl.ZipFile): Promise<Map<string, yauzl.Entry>> {
  return new Promise((resolve, reject) => {
    const entries = new Map<string, yauzl.Entry>();
    let total = 0;
    archive.on('error', (e: Error) => reject(new Failure(`the zip is damaged: ${e.message}`)));
    archive.on('end', () => resolve(entries));
    archive.on('entry', (entry: yauzl.Entry) => {
      const name = entry.fileName;
      if (entries.size >= MAX_ENTRIES) return reject(new Failure(`the zip holds more than ${MAX_ENTRIES} files`));
      if (name.startsWith('/') || name.split('/').includes('..') || name.includes('\\')) return reject(new Failure(`the zip holds a file outside the packet: ${JSON.stringify(name)}`));
      if (entries.has(name)) return reject(new Failure(`the zip holds ${name} twice`));
      if (!name.endsWith('/')) {
        total += entry.uncompressedSize;
        if (total > MAX_PACKET_BYTES) return reject(new Failure('the zip inflates past 2 GB: not read'));
      }
      entries.set(name, entry);
      archive.readEntry();
    });
    archive.readEntry();
  });
}

function openZip(zip: Buffer | string): Promise<yauzl.ZipFile> {
  const options: yauzl.Options = { lazyEntries: true, decodeStrings: true, validateEntrySizes: true, strictFileNames: true, autoClose: false };
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, archive?: yauzl.ZipFile) => (error || !archive ? reject(new Failure(`the file is not a readable zip: ${error?.message ?? 'no archive'}`)) : resolve(archive));
    if (typeof zip === 'string') yauzl.open(zip, options, done);
    else yauzl.fromBuffer(zip, options, done);
  });
}

/**
 * The packet's files, read from the zip when asked (docs/decisions.md W75): a file is inflated
 * chunk by chunk, hashed or parsed as it comes, and never kept whole unless it is one of the
 * small ones (the manifest, the report, the checkpoint, the key).
 */
class PacketFiles {
  constructor(
    private readonly archive: yauzl.ZipFile,
    readonly entries: Map<string, yauzl.Entry>,
  ) {}

  has(name: string): boolean {
    return this.entries.has(name);
  }

  get size(): number {
    return this.entries.size;
  }

  names(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** Every chunk of `name`, inflated, in order. */
  async *chunks(name: string): AsyncGenerator<Buffer> {
    const entry = this.entries.get(name)!;
    if (name.endsWith('/')) return;
    const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
      this.archive.openReadStream(entry, (e, s) => (e || !s ? reject(new Failure(`${name} cannot be read from the zip: ${e?.message}`)) : resolve(s))),
    );
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) yield chunk;
    } catch (error) {
      if (error instanceof Failure) throw error;
      fail(`${name} cannot be read from the zip: ${(error as Error).message}`);
    }
  }

  /** The whole file (the small ones only). */
  async bytes(name: string): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of this.chunks(name)) parts.push(chunk);
    return Buffer.concat(parts);
  }

  /** Its SHA-256, read through once. */
  async sha256(name: string): Promise<string> {
    const hash = createHash('sha256');
    for await (const chunk of this.chunks(name)) hash.update(chunk);
    return hash.digest('hex');
  }

  /**
   * Its text, line by line (a last line without its newline too; nothing after a final newline), as it is inflated;
   * its SHA-256 is checked against `sha256` when it ends (the file read again must be the one
   * the manifest was checked against).
   */
  async *lines(name: string, sha256: string): AsyncGenerator<string> {
    const hash = createHash('sha256');
    const decoder = new StringDecoder('utf8');
    let rest = '';
    for await (const chunk of this.chunks(name)) {
      hash.update(chunk);
      const text = rest + decoder.write(chunk);
      const parts = text.split('\n');
      rest = parts.pop()!;
      for (const line of parts) yield line;
    }
    rest += decoder.end();
    if (hash.digest('hex') !== sha256) fail(`${name} changed while it was read: the file was changed after the packet was made`);
    if (rest !== '') yield rest;
  }
}

/** The first place two JSON values differ, as a path and the two values (for the failure's message). */
function firstDifference(a: unknown, b: unknown, path = 'report'): string | undefined {
  if (a === b) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return `${path}: the packet says ${JSON.stringify(a)}, the events give ${JSON.stringify(b)}`;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= a.length || i >= b.length) return `${path}: the packet has ${a.length} entries, the events give ${b.length}`;
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  for (const key of [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort()) {
    const d = firstDifference(ao[key], bo[key], `${path}.${key}`);
    if (d) return d;
  }
  return undefined;
}

function parseJson<T>(file: string, bytes: Buffer): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch (error) {
    return fail(`${file} is not JSON: ${(error as Error).message}`);
  }
}

const EVENT_FIELDS: [keyof RecordedEvent, string][] = [
  ['eventId', 'string'],
  ['stream', 'string'],
  ['revision', 'number'],
  ['position', 'number'],
  ['type', 'string'],
  ['schemaVersion', 'number'],
  ['recordedAt', 'string'],
  ['recordedBy', 'string'],
  ['correlationId', 'string'],
  ['prevHash', 'string'],
  ['hash', 'string'],
];

/**
 * Verifies a packet: the zip's bytes, or the path of the zip file (read from the file as it is
 * checked, never held whole). `publicKey`: the agency's published verifier key, which is what proves anything.
 */
export async function verifyEvidence(zip: Buffer | string, options: { publicKey?: string } = {}): Promise<EvidenceVerdict> {
  let archive: yauzl.ZipFile | undefined;
  try {
    archive = await openZip(zip);
    return await verify(new PacketFiles(archive, await listZip(archive)), options);
  } catch (error) {
    if (error instanceof Failure) return { ok: false, failure: error.message };
    throw error;
  } finally {
    archive?.close();
  }
}

async function verify(files: PacketFiles, options: { publicKey?: string }): Promise<EvidenceVerdict> {
  // 1. The files.
  for (const name of PACKET_FILES) if (!files.has(name)) fail(`${name} is missing from the packet`);
  for (const name of files.names()) {
    const known = (PACKET_FILES as readonly string[]).includes(name) || name === CERTIFICATES_DIR || /^certificates\/[^/]+\.pdf$/.test(name);
    if (!known) fail(`the packet holds a file it should not: ${name}`);
  }
  const text = async (name: string) => (await files.bytes(name)).toString('utf8');

  // 2. The manifest: each file hashed as it is inflated (the hashes kept for the certificates, step 6).
  const manifest = parseJson<PacketManifest>('manifest.json', await files.bytes('manifest.json'));
  if (manifest?.algorithm !== 'SHA-256' || typeof manifest.files !== 'object' || manifest.files === null) fail('manifest.json does not list SHA-256 hashes of the files');
  const hashes = new Map<string, string>();
  for (const name of files.names()) {
    if (name === 'manifest.json' || name.endsWith('/')) continue;
    const listed = manifest.files[name];
    if (listed === undefined) fail(`manifest.json does not list ${name}`);
    const actual = await files.sha256(name);
    hashes.set(name, actual);
    if (listed !== actual) fail(`manifest.json: the SHA-256 of ${name} does not match: the file was changed after the packet was made`);
  }
  for (const name of Object.keys(manifest.files)) if (!files.has(name)) fail(`manifest.json lists ${name}, which is missing from the packet`);

  // 3. The checkpoint's signature.
  let verifier: Verifier;
  const ownKey = (await text('public-key.txt')).trim();
  try {
    verifier = parseVerifierKey(options.publicKey ?? ownKey);
  } catch (error) {
    return fail(`${options.publicKey !== undefined ? 'the verifier key given' : 'public-key.txt'}: ${(error as Error).message}`);
  }
  let checkpoint: Checkpoint;
  try {
    checkpoint = verifyCheckpoint(await text('checkpoint.txt'), verifier);
  } catch (error) {
    if (error instanceof CheckpointError) {
      const given = options.publicKey !== undefined ? 'the verifier key given' : "the packet's own key (public-key.txt)";
      return fail(`checkpoint.txt is not signed by ${given}: ${error.message}`);
    }
    throw error;
  }
  const ownKeyOnly = options.publicKey === undefined;

  // 4. The events and their chains.
  const report = parseJson<EvidenceReport>('report.json', await files.bytes('report.json'));
  if (typeof report?.agencyId !== 'string' || typeof report.asOf !== 'string' || typeof report.knownAt !== 'string') fail('report.json does not name the agency, asOf and knownAt');
  const agencyId = report.agencyId;
  const knownAt = Date.parse(report.knownAt);
  // Line by line as it is inflated: the text is never held whole. Each line is checked as it is
  // read; in a packet as one is made, each stream's events are together and in revision order, so
  // each goes to its chain as it is read and only a small index of it is kept (docs/decisions.md
  // W75). Otherwise (lines reordered) every event is kept, grouped by stream and sorted, as before.
  const eventLines = async function* (): AsyncGenerator<RecordedEvent> {
    let i = -1;
    for await (const line of files.lines('events.jsonl', hashes.get('events.jsonl')!)) {
      i++;
      let event: RecordedEvent;
      try {
        event = JSON.parse(line) as RecordedEvent;
      } catch {
        return fail(`events.jsonl line ${i + 1} is not JSON`);
      }
      for (const [field, type] of EVENT_FIELDS) if (typeof event?.[field] !== type) fail(`events.jsonl line ${i + 1} has no ${field}`);
      const kind = packetStreamOf(agencyId, event.stream);
      if (!kind) fail(`events.jsonl line ${i + 1} (event ${event.eventId}) is of the stream ${event.stream}, not one of agency ${agencyId}'s`);
      if (!(Date.parse(event.recordedAt) <= knownAt)) fail(`event ${event.eventId} (${event.stream} revision ${event.revision}) was recorded at ${event.recordedAt}, after the packet's knownAt ${report.knownAt}`);
      yield event;
    }
  };
  /** What steps 5 and 6 need of an event: the whole event when they are all held. */
  type Indexed = Pick<RecordedEvent, 'eventId' | 'stream' | 'revision' | 'position' | 'hash' | 'type'> & { data?: unknown };
  let events: Indexed[] = [];
  let chains = new ChainVerifier();
  const streams: string[] = [];
  let inOrder = true;
  {
    const seen = new Set<string>();
    let current: string | undefined;
    let last = -1;
    for await (const event of eventLines()) {
      if (inOrder && event.stream !== current) {
        if (seen.has(event.stream)) inOrder = false;
        else {
          seen.add(event.stream);
          streams.push(event.stream);
          current = event.stream;
          last = -1;
        }
      }
      if (inOrder && !(event.revision > last)) inOrder = false;
      last = event.revision;
      if (inOrder) {
        chains.add(event);
        // The stream's name shared by its events; the data kept only where step 6 reads it.
        events.push({ eventId: event.eventId, stream: current!, revision: event.revision, position: event.position, hash: event.hash, type: event.type, ...(event.type === 'CertificateFiled' ? { data: event.data } : {}) });
      } else {
        // Not in a packet's order: read again from the start, keeping every event.
        events = [];
        break;
      }
    }
  }
  let byStream: Map<string, RecordedEvent[]> | undefined;
  if (!inOrder) {
    const all: RecordedEvent[] = [];
    for await (const event of eventLines()) all.push(event);
    events = all;
    chains = new ChainVerifier();
    byStream = new Map<string, RecordedEvent[]>();
    for (const event of all) {
      const stream = byStream.get(event.stream) ?? [];
      stream.push(event);
      byStream.set(event.stream, stream);
    }
    if (!byStream.has(`agency-${agencyId}`)) fail(`events.jsonl holds no event of agency ${agencyId}'s own stream`);
    for (const stream of byStream.values()) {
      stream.sort((a, b) => a.revision - b.revision);
      for (const event of stream) chains.add(event);
    }
  } else if (!streams.includes(`agency-${agencyId}`)) fail(`events.jsonl holds no event of agency ${agencyId}'s own stream`);
  const streamCount = byStream?.size ?? streams.length;
  chains.checkHeads([]);
  const broken = chains.firstBroken;
  if (broken) fail(`events.jsonl: the hash chain of ${broken.stream} is broken at revision ${broken.revision}${broken.eventId ? ` (event ${broken.eventId})` : ''}: ${broken.reason}`);

  // 5. The inclusion proofs, each checked as it is read (json-array-members.ts): proofs.json is
  // never held whole. Its header (treeSize, rootHash) comes before the list in every packet made;
  // were it after, the proofs are kept until it is read, and checked then, as before.
  const byEvent = new Map(events.map((e) => [e.eventId, e]));
  const proven = new Map<string, number>();
  const root = Buffer.from(checkpoint.rootHash, 'hex');
  const header = (proofs: PacketProofs | null) => {
    if (proofs?.treeSize !== checkpoint.treeSize || proofs.rootHash !== checkpoint.rootHash) {
      fail(`proofs.json is for the tree of ${proofs?.treeSize} events with root ${proofs?.rootHash}, not checkpoint.txt's (${checkpoint.treeSize} events, root ${checkpoint.rootHash})`);
    }
  };
  const check = (p: PacketProofs['proofs'][number]) => {
    const event = byEvent.get(p?.eventId);
    if (!event) fail(`proofs.json proves the event ${p?.eventId}, which events.jsonl does not hold: an event was removed`);
    if (proven.has(event.eventId)) fail(`proofs.json proves the event ${event.eventId} twice`);
    const path = Array.isArray(p.proof) && p.proof.every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h)) ? p.proof.map((h) => Buffer.from(h, 'hex')) : fail(`proofs.json: the proof of event ${event.eventId} is not a list of hashes`);
    if (!verifyInclusion(eventLeafHash(event.hash), p.leafIndex, checkpoint.treeSize, path, root)) {
      fail(`proofs.json: event ${event.eventId} (${event.stream} revision ${event.revision}) is not in the checkpoint's tree: its inclusion proof does not verify`);
    }
    proven.set(event.eventId, p.leafIndex);
  };
  const parseProof = (text: string): PacketProofs['proofs'][number] => {
    try {
      return JSON.parse(text) as PacketProofs['proofs'][number];
    } catch (error) {
      return fail(`proofs.json is not JSON: ${(error as Error).message}`);
    }
  };
  const members = new JsonArrayMembers('proofs');
  /** Proofs read before the header (never in a packet made): checked once the whole file is read. */
  let deferred: string[] | undefined;
  let headerChecked = false;
  const proofsHash = createHash('sha256');
  const decoder = new StringDecoder('utf8');
  const take = (elements: string[]) => {
    for (const element of elements) {
      if (!headerChecked && deferred === undefined) {
        // The text before the list, closed: the header, if it comes first.
        let before: PacketProofs | undefined;
        try {
          before = JSON.parse(`${members.head}]}`) as PacketProofs;
        } catch {
          before = undefined;
        }
        if (before && typeof before === 'object' && 'treeSize' in before && 'rootHash' in before) {
          header(before);
          headerChecked = true;
        } else deferred = [];
      }
      if (deferred) deferred.push(element);
      else check(parseProof(element));
    }
  };
  for await (const chunk of files.chunks('proofs.json')) {
    proofsHash.update(chunk);
    take(members.push(decoder.write(chunk)));
  }
  take(members.push(decoder.end()));
  take(members.end());
  if (proofsHash.digest('hex') !== hashes.get('proofs.json')) fail('proofs.json changed while it was read: the file was changed after the packet was made');
  let proofs: PacketProofs;
  try {
    proofs = JSON.parse(members.skeleton) as PacketProofs;
  } catch (error) {
    return fail(`proofs.json is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(proofs?.proofs) || members.arrays !== 1) fail('proofs.json holds no list of proofs');
  header(proofs);
  for (const element of deferred ?? []) check(parseProof(element));
  for (const event of events) if (!proven.has(event.eventId)) fail(`proofs.json has no inclusion proof of event ${event.eventId} (${event.stream} revision ${event.revision})`);
  const byPosition = [...events].sort((a, b) => a.position - b.position);
  for (let i = 1; i < byPosition.length; i++) {
    if (proven.get(byPosition[i].eventId)! <= proven.get(byPosition[i - 1].eventId)!) fail(`events.jsonl: the positions of events ${byPosition[i - 1].eventId} and ${byPosition[i].eventId} do not follow their places in the tree`);
  }

  // 6. The certificates.
  let certificates = 0;
  for (const name of files.names()) {
    const match = /^certificates\/([^/]+)\.pdf$/.exec(name);
    if (!match) continue;
    const event = byEvent.get(match[1]);
    if (!event || event.type !== 'CertificateFiled') fail(`${name} is named by no CertificateFiled event of events.jsonl`);
    const recorded = (event.data as { sha256?: string }).sha256;
    const actual = hashes.get(name)!;
    if (actual !== recorded) fail(`${name}: its SHA-256 ${actual} is not the ${recorded} its CertificateFiled event (${event.stream} revision ${event.revision}) records: the file is not the certificate filed`);
    certificates++;
  }
  for (const event of events) {
    if (event.type === 'CertificateFiled' && (event.data as { fileStored?: boolean }).fileStored && !files.has(`certificates/${event.eventId}.pdf`)) {
      fail(`certificates/${event.eventId}.pdf is missing: event ${event.eventId} records a stored certificate file`);
    }
  }

  // 7. report.json, derived again: from the events held, or (in a packet's order) from
  // events.jsonl read again, the agency's stream first, then one officer's stream at a time.
  let derived: EvidenceReport;
  const derivationFailed = (error: unknown): never => {
    if (error instanceof Failure) throw error;
    return fail(`report.json cannot be derived from events.jsonl: ${(error as Error).message}`);
  };
  const officerOf = (stream: string) => /^officer-[^/]+\/([^/]+)$/.exec(stream)?.[1];
  if (byStream) {
    try {
      const deriver = new ReportDeriver(agencyId, report.asOf, report.knownAt, byStream.get(`agency-${agencyId}`)!);
      for (const [stream, streamEvents] of byStream) {
        const officer = officerOf(stream);
        if (officer) deriver.addOfficer(officer, streamEvents);
      }
      derived = deriver.finish();
    } catch (error) {
      derived = derivationFailed(error);
    }
  } else {
    const agency: RecordedEvent[] = [];
    for await (const event of eventLines()) if (event.stream === `agency-${agencyId}`) agency.push(event);
    try {
      const deriver = new ReportDeriver(agencyId, report.asOf, report.knownAt, agency);
      let run: RecordedEvent[] = [];
      const add = () => {
        const officer = run.length ? officerOf(run[0].stream) : undefined;
        if (officer) deriver.addOfficer(officer, run);
        run = [];
      };
      for await (const event of eventLines()) {
        if (run.length && event.stream !== run[0].stream) add();
        run.push(event);
      }
      add();
      derived = deriver.finish();
    } catch (error) {
      derived = derivationFailed(error);
    }
  }
  const difference = firstDifference(report, JSON.parse(JSON.stringify(derived)));
  if (difference) fail(`report.json is not what the rules engine derives from events.jsonl: ${difference}`);

  const parsed = parseCheckpoint(await text('checkpoint.txt')).checkpoint;
  const summary = [
    `verified: the evidence packet of agency ${agencyId} (${report.agencyName}), status on ${report.asOf} as the records stood at ${report.knownAt}`,
    `- manifest: ${files.size - 1 - (files.has(CERTIFICATES_DIR) ? 1 : 0)} files match their SHA-256`,
    `- checkpoint: ${parsed.origin}, tree of ${parsed.treeSize} events, root ${parsed.rootHash}, signed by ${verifier.name}+${verifier.keyHash.toString('hex')}`,
    `- events: ${events.length} events of ${streamCount} streams, every chain whole from its first event, every officer stream on the roster, each in the checkpoint's tree (inclusion proofs)`,
    `- certificates: ${certificates} file(s) match the SHA-256 their events record`,
    `- report.json: the rules engine derives the same report from events.jsonl (${report.officers.length} officers; ${Object.entries(report.counts).map(([s, n]) => `${s} ${n}`).join(', ')})`,
    ownKeyOnly
      ? "- NOTE: checked with the packet's own public-key.txt, which proves nothing against the agency: run again with --public-key and the verifier key the agency published (or a witness kept)"
      : '- the checkpoint is signed by the verifier key given',
  ];
  return { ok: true, summary, agencyId, events: events.length, officers: report.officers.length, certificates, checkpoint, ownKeyOnly };
}
