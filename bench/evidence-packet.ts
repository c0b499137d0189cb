/**
 * evidencePacket*: the agency's evidence packet (src/evidence, docs/decisions.md W63-W65) for the
 * bench's agency whose size is nearest 1,000 officers (with --quick, the largest: exactly 1,000):
 * the time to make the whole zip and read it to its end (as an HTTP client or the CLI's file
 * would), its size, how far the process's resident memory rose above where it stood before
 * (sampled every 20 ms while the zip is made and read), and the offline verifier's time on it.
 */
import type { INestApplication } from '@nestjs/common';
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
  const chunks: Buffer[] = [];
  for await (const chunk of packet.zip) chunks.push(chunk as Buffer);
  await packet.finished;
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  // Kept only to hand to the verifier, after the measurement of the making (which never holds it whole).
  const zip = Buffer.concat(chunks);
  const verifyStart = process.hrtime.bigint();
  const verdict = await verifyEvidence(zip);
  const verifyMs = Number(process.hrtime.bigint() - verifyStart) / 1e6;
  if (!verdict.ok) throw new Error(`the bench's evidence packet does not verify: ${verdict.failure}`);
  return { officers: packet.report.officers.length, events: packet.events, ms, mb: zip.length / 2 ** 20, rssRiseMb: (peak - before) / 2 ** 20, verifyMs };
}
