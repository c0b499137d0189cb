/**
 * Makes an agency's evidence packet (docs/reference.md "Evidence packet"; docs/decisions.md
 * W63-W66): a zip, written by yazl as it is read, holding exactly the pinned files
 * (verify/packet-format.ts). Shared by the API route, the CLI's `evidence` and the dashboard's button.
 *
 * Memory: the events go to a temporary file as each officer's stream is read (with the
 * SHA-256 the manifest needs), and each officer leaves only its report row behind
 * (verify/derive-report.ts); the inclusion proofs are computed in one walk of the ledger tree
 * and written to a second temporary file; each certificate is read from the store when the zip
 * reaches it. What stays in memory is the report, the events' positions and the proofs' hashes
 * (each node once, the paths as references to them: MerkleLeaves.inclusionProofSet).
 *
 * Only the agency's streams (its own, its roster, its officers') go in: never `access` (tokens,
 * accounts, password hashes), `access-log` or another agency's. Each packet made is recorded in
 * the access log (who, for which asOf and knownAt, how many officers).
 */
import { ServiceUnavailableException } from '@nestjs/common';
import { Inject, Injectable } from '@nestjs/common';
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { once } from 'node:events';
import { ZipFile } from 'yazl';
import type { RecordedEvent } from '../../events/envelope';
import { agencyStream, officerStreamPrefix, rosterStream } from '../../events/streams';
import { AccessLog } from '../access-log/access-log';
import type { AccessEntry } from '../access-log/access-log-store';
import { CheckpointService, type VerifiedCheckpoint } from '../ledger/checkpoint-service';
import { EVENT_STORE, type EventStore } from '../store/event-store.port';
import { agencyNotRegistered, Invalid } from '../write/refusals';
import { packetReadme } from './packet-readme';
import { reportPdf } from './report-pdf';
import { ReportDeriver, type EvidenceReport } from './verify/derive-report';
import { CERTIFICATES_DIR, certificatePath, type PacketManifest } from './verify/packet-format';

/** Who asks for the packet, for the access log. */
export interface PacketReader {
  principal: AccessEntry['principal'];
  route: string;
  requestId: string | null;
}

export interface EvidencePacket {
  /** The zip, written as it is read. */
  zip: Readable;
  fileName: string;
  report: EvidenceReport;
  events: number;
  checkpoint: VerifiedCheckpoint;
  /** Resolves when the zip is whole (rejects if it could not be finished). */
  finished: Promise<void>;
}

/** A file written line by line, hashed as it is written. */
class HashedFile {
  readonly hash: Hash = createHash('sha256');
  private readonly out: WriteStream;
  constructor(readonly path: string) {
    this.out = createWriteStream(path);
  }
  async write(text: string): Promise<void> {
    this.hash.update(text, 'utf8');
    if (!this.out.write(text, 'utf8')) await once(this.out, 'drain');
  }
  async close(): Promise<string> {
    this.out.end();
    await once(this.out, 'finish');
    return this.hash.digest('hex');
  }
}

@Injectable()
export class EvidencePackets {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly checkpoints: CheckpointService,
    private readonly accessLog: AccessLog,
  ) {}

  /**
   * The packet of `agencyId` for (asOf, knownAt). `progress` is told after each officer read
   * (the CLI's progress line). The zip must be read to its end (or destroyed) to free its
   * temporary files.
   */
  async make(agencyId: string, axes: { asOf: string; knownAt: string }, reader: PacketReader, progress?: (done: number, total: number) => void): Promise<EvidencePacket> {
    const { asOf, knownAt } = axes;
    const cutoff = Date.parse(knownAt);
    const known = (events: RecordedEvent[]) => events.filter((e) => Date.parse(e.recordedAt) <= cutoff);
    const agencyEvents = await this.store.readStream(agencyStream(agencyId));
    if (agencyEvents.length === 0) throw agencyNotRegistered(agencyId);
    const agencyKnown = known(agencyEvents);
    if (agencyKnown.length === 0) throw new Invalid([`knownAt: agency ${agencyId} was registered at ${agencyEvents[0].recordedAt}, after ${knownAt}: its records held nothing then`]);

    const dir = mkdtempSync(join(tmpdir(), 'sro-evidence-'));
    const cleanup = () => rmSync(dir, { recursive: true, force: true });
    try {
      const eventsFile = new HashedFile(join(dir, 'events.jsonl'));
      const positions: { eventId: string; position: number }[] = [];
      const certificates: { eventId: string; sha256: string }[] = [];
      const write = async (events: RecordedEvent[]) => {
        for (const e of events) {
          await eventsFile.write(`${JSON.stringify(e)}\n`);
          positions.push({ eventId: e.eventId, position: e.position });
          const data = e.data as { sha256?: string; fileStored?: boolean };
          if (e.type === 'CertificateFiled' && data.fileStored && typeof data.sha256 === 'string') certificates.push({ eventId: e.eventId, sha256: data.sha256 });
        }
      };
      const deriver = new ReportDeriver(agencyId, asOf, knownAt, agencyKnown);
      await write(agencyKnown);
      await write(known(await this.store.readStream(rosterStream(agencyId))));
      const prefix = officerStreamPrefix(agencyId);
      const heads = (await this.store.listStreams(prefix)).map((h) => h.stream).sort();
      for (const [i, stream] of heads.entries()) {
        const events = known(await this.store.readStream(stream));
        if (events.length > 0) {
          await write(events);
          deriver.addOfficer(stream.slice(prefix.length), events);
        }
        progress?.(i + 1, heads.length);
      }
      const eventsSha = await eventsFile.close();
      const report = deriver.finish();

      // A signed checkpoint covering every event of the packet, and each event's proof against it.
      const checkpoint = await this.checkpointCovering(positions);
      const { leaves } = this.checkpoints.leaves;
      const indices = positions.map((p) => this.checkpoints.leaves.indexOf(p.position));
      if (leaves.root(checkpoint.treeSize).toString('hex') !== checkpoint.rootHash) {
        throw new ServiceUnavailableException({ message: [`the log read now is not the one the checkpoint of ${checkpoint.treeSize} events signed: run verify; no packet is made from a ledger that does not verify`] });
      }
      const proofs = leaves.inclusionProofSet(indices, checkpoint.treeSize);
      const proofsFile = new HashedFile(join(dir, 'proofs.json'));
      await proofsFile.write(`{"treeSize":${checkpoint.treeSize},"rootHash":"${checkpoint.rootHash}","proofs":[\n`);
      for (const [i, p] of positions.entries()) {
        const proof = proofs.proof(indices[i]).map((h) => h.toString('hex'));
        await proofsFile.write(`${JSON.stringify({ eventId: p.eventId, leafIndex: indices[i], proof })}${i < positions.length - 1 ? ',' : ''}\n`);
      }
      await proofsFile.write(']}\n');
      const proofsSha = await proofsFile.close();

      const key = this.checkpoints.key();
      const zip = new ZipFile();
      const output = zip.outputStream as unknown as Readable;
      const hashes: Record<string, string> = {};
      const addText = (name: string, text: string) => {
        const bytes = Buffer.from(text, 'utf8');
        hashes[name] = createHash('sha256').update(bytes).digest('hex');
        zip.addBuffer(bytes, name, { mtime: new Date(knownAt) });
      };
      /** A stream hashed as the zip reads it; resolves with its SHA-256. */
      const addStream = (name: string, source: Readable): Promise<void> => {
        const hash = createHash('sha256');
        const through = new PassThrough();
        source.on('error', (error) => through.destroy(error));
        source.on('data', (chunk: Buffer) => hash.update(chunk));
        source.pipe(through);
        zip.addReadStream(through, name, { mtime: new Date(knownAt) });
        return once(through, 'end').then(() => void (hashes[name] = hash.digest('hex')));
      };
      addText('README.txt', packetReadme(report, checkpoint));
      addText('report.json', `${JSON.stringify(report, null, 2)}\n`);
      const pdf = addStream('report.pdf', await reportPdf(report, { ...checkpoint, verifierKey: key.verifierKey }));
      hashes['events.jsonl'] = eventsSha;
      zip.addReadStream(createReadStream(eventsFile.path), 'events.jsonl', { mtime: new Date(knownAt) });
      addText('checkpoint.txt', checkpoint.note);
      hashes['proofs.json'] = proofsSha;
      zip.addReadStream(createReadStream(proofsFile.path), 'proofs.json', { mtime: new Date(knownAt) });
      addText('public-key.txt', `${key.verifierKey}\n`);
      zip.addEmptyDirectory(CERTIFICATES_DIR, { mtime: new Date(knownAt) });
      const files = certificates.map((c) =>
        addStream(
          certificatePath(c.eventId),
          Readable.from(
            (async function* (store: EventStore) {
              const bytes = await store.readFile(c.sha256);
              if (!bytes) throw new Error(`the certificate file ${c.sha256} (event ${c.eventId}) is not in the store`);
              yield bytes;
            })(this.store),
          ),
        ),
      );
      const finished = (async () => {
        await Promise.all([pdf, ...files]);
        const manifest: PacketManifest = { algorithm: 'SHA-256', files: Object.fromEntries(Object.entries(hashes).sort(([a], [b]) => (a < b ? -1 : 1))) };
        zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'), 'manifest.json', { mtime: new Date(knownAt) });
        zip.end();
        await once(output, 'end');
      })();
      finished.catch((error: Error) => output.destroy(error));
      output.once('close', cleanup);
      output.once('end', cleanup);
      output.once('error', cleanup);
      this.accessLog.record({
        at: new Date().toISOString(),
        agencyId,
        officerId: null,
        officerCount: report.officers.length,
        kind: 'evidence-packet',
        route: reader.route,
        format: 'zip',
        principal: reader.principal,
        requestId: reader.requestId,
        asOf,
        knownAt,
      });
      return { zip: output, fileName: `${agencyId}-evidence-${asOf}.zip`, report, events: positions.length, checkpoint, finished };
    } catch (error) {
      cleanup();
      throw error;
    }
  }

  /** The latest signed checkpoint if it covers every one of `positions`, else one signed now. */
  private async checkpointCovering(positions: { position: number }[]): Promise<VerifiedCheckpoint> {
    const leaves = this.checkpoints.leaves;
    await leaves.sync();
    let needed = 0;
    for (const { position } of positions) {
      const index = leaves.indexOf(position);
      if (index < 0) throw new ServiceUnavailableException({ message: [`the ledger tree does not hold the event at position ${position}: run verify`] });
      needed = Math.max(needed, index + 1);
    }
    let latest: VerifiedCheckpoint | undefined;
    try {
      latest = await this.checkpoints.latest();
      if (!latest || latest.treeSize < needed) latest = await this.checkpoints.issue();
    } catch (error) {
      if ((error as Error).name !== 'IntegrityAlarm') throw error;
      throw new ServiceUnavailableException({ message: [`no checkpoint can be signed: ${(error as Error).message}`] });
    }
    if (!latest || latest.treeSize < needed) throw new ServiceUnavailableException({ message: ['no signed checkpoint covers the agency\'s events yet: try again in a moment'] });
    if (leaves.size < latest.treeSize) await leaves.sync();
    return latest;
  }
}
