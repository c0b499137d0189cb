/**
 * The command line's evidence packet (docs/reference.md#command-line): `evidence` makes one from
 * the store, `verify-evidence` checks one offline (no store is opened: src/evidence/verify/), and
 * `agency public` turns the agency's public page on or off.
 */
import { createWriteStream, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { UsageError } from '../config';
import { EvidencePackets } from '../evidence/evidence-packet';
import { MAX_PACKET_BYTES, verifyEvidence } from '../evidence/verify/verify-evidence';
import { CheckpointService } from '../ledger/checkpoint-service';
import { AccessRegistry } from '../auth/access-registry';
import { cliUser, identifier, type Options, READ_ONLY, required, requireAgency, running, timeAxes, withContext } from './cli-context';

export async function evidence(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const axes = timeAxes(options);
  const out = required(options, 'out');
  const partial = `${out}.partial`;
  const tty = process.stderr.isTTY;
  const made = await withContext(async (app) => {
    await requireAgency(app, agencyId);
    const who = cliUser();
    let shown = -1;
    const packet = await app.get(EvidencePackets).make(agencyId, axes, { principal: { kind: 'cli', id: who, name: who, role: 'cli' }, route: `cli ${running.command}`, requestId: null }, (done, total) => {
      // One progress line: rewritten in place on a terminal, every tenth on a pipe.
      const tenth = Math.floor((done * 10) / Math.max(total, 1));
      if (tty) process.stderr.write(`\rReading officers: ${done} of ${total}`);
      else if (tenth !== shown) process.stderr.write(`Reading officers: ${done} of ${total}\n`);
      shown = tenth;
    });
    if (tty) process.stderr.write('\n');
    process.stderr.write(`Writing the packet (${packet.events} events, ${packet.report.officers.length} officers on the report)...\n`);
    try {
      await Promise.all([pipeline(packet.zip, createWriteStream(partial)), packet.finished]);
    } catch (error) {
      rmSync(partial, { force: true });
      throw error;
    }
    renameSync(partial, out);
    return { packet, key: app.get(CheckpointService).key().verifierKey };
  }, READ_ONLY);
  const { packet, key } = made;
  console.log(`Evidence packet of agency ${agencyId} written to ${out} (${statSync(out).size} bytes): status on ${packet.report.asOf} as the records stood at ${packet.report.knownAt}; ${packet.report.officers.length} officers, ${packet.events} events, proven against the checkpoint of ${packet.checkpoint.treeSize} events.`);
  console.log(`A recipient checks it with: verify-evidence ${out} --public-key '${key}'`);
}

export async function verifyEvidenceCommand(options: Options, positionals: string[]): Promise<number> {
  const file = positionals[1];
  if (!file) throw new UsageError('verify-evidence needs the packet: verify-evidence <file.zip> [--public-key <verifier key>]');
  if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
  if (statSync(file).size > MAX_PACKET_BYTES) {
    console.error(`NOT VERIFIED: ${file} is larger than 2 GB`);
    return 1;
  }
  // The path, not the bytes: the file is read as it is checked, never held whole.
  const verdict = await verifyEvidence(file, { publicKey: options['public-key'] });
  if (!verdict.ok) {
    console.error(`NOT VERIFIED: ${verdict.failure}`);
    return 1;
  }
  for (const line of verdict.summary) console.log(line);
  return 0;
}

export async function agencyPublic(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const on = options.on !== undefined;
  if (on === (options.off !== undefined)) throw new UsageError('agency public needs exactly one of --on and --off');
  await withContext(async (app) => {
    await requireAgency(app, agencyId);
    await app.get(AccessRegistry).setPublicPage({ agencyId, on, recordedBy: cliUser() });
  });
  console.log(on ? `The public page of agency ${agencyId} is on: /public/${agencyId} (and its latest checkpoint at /public/${agencyId}/checkpoint.txt).` : `The public page of agency ${agencyId} is off: /public/${agencyId} answers 404.`);
}
