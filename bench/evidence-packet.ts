/**
 * evidencePacket*: the agency's evidence packet (src/evidence, docs/decisions.md W63-W65) for the
 * bench's agency whose size is nearest 1,000 officers (with --quick, the largest: exactly 1,000):
 * the time to make the whole zip and read it to its end (as an HTTP client or the CLI's file
 * would: here into a temporary file), its size, how far the process's resident memory rose above where it stood before
 * (sampled every 20 ms while the zip is made and read), and the offline verifier's time on the file.
 */
import type { INestApplication } from '@nestjs/common';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { EvidencePackets } from '../src/evidence/evidence-packet';
import { verifyEvidence } from '../src/evidence/verify/verify-evidence';
import type { AgencyPlan } from './generate';

export interface EvidenceFigures {
  officers: number;
  events: number;
  ms: number;
  mb: number;
  rssRiseMb: number;
  verifyMs: number;
}

export async function measureEvidencePacket(app: INestApplication, agencies: AgencyPlan[], asOf: string): Promise<EvidenceFigures> {
  const agency = [...agencies].sort((a, b) => Math.abs(a.officers - 1000) - Math.abs(b.officers - 1000))[0];
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const start = process.hrtime.bigint();
  const packet = await app.get(EvidencePackets).make(agency.agencyId, { asOf, knownAt: new Date().toISOString() }, { principal: { kind: 'cli', id: 'bench', name: 'bench', role: 'cli' }, route: 'bench', requestId: null });
  // Read to its end into a file, as the CLI's --out does; the verifier reads that file as it checks it (neither holds the zip whole).
  const dir = mkdtempSync(join(tmpdir(), 'sro-bench-evidence-'));
  try {
    const file = join(dir, 'packet.zip');
    await pipeline(packet.zip, createWriteStream(file));
    await packet.finished;
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const verifyStart = process.hrtime.bigint();
    const verdict = await verifyEvidence(file);
    const verifyMs = Number(process.hrtime.bigint() - verifyStart) / 1e6;
    if (!verdict.ok) throw new Error(`the bench's evidence packet does not verify: ${verdict.failure}`);
    return { officers: packet.report.officers.length, events: packet.events, ms, mb: statSync(file).size / 2 ** 20, rssRiseMb: (peak - before) / 2 ** 20, verifyMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
