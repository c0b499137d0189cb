/**
 * The evidence packet's layout (docs/reference.md "Evidence packet"; docs/decisions.md W63): the
 * names of its files and the shape of the ones a program reads. Shared by the packet's builder
 * (src/evidence/) and its offline verifier (this folder), which imports nothing but events/,
 * projections/ and yauzl, so that `verify-evidence` runs from a fresh clone with no store.
 */
import type { RecordedEvent } from '../../../events/envelope';

/** The pinned names, in the order the packet is written (manifest.json last: it hashes the others). */
export const PACKET_FILES = ['README.txt', 'report.json', 'report.pdf', 'events.jsonl', 'checkpoint.txt', 'proofs.json', 'public-key.txt', 'manifest.json'] as const;
export type PacketFile = (typeof PACKET_FILES)[number];
/** The folder of certificate PDFs: `certificates/<eventId of the CertificateFiled>.pdf`. */
export const CERTIFICATES_DIR = 'certificates/';
export const certificatePath = (eventId: string): string => `${CERTIFICATES_DIR}${eventId}.pdf`;

/** One line of events.jsonl: the event exactly as stored (its hash covers it), global position included. */
export type PacketEvent = RecordedEvent;

/** proofs.json: one RFC 9162 inclusion proof per event of events.jsonl, against checkpoint.txt. */
export interface PacketProofs {
  treeSize: number;
  /** 64 hex digits: the checkpoint's root. */
  rootHash: string;
  proofs: { eventId: string; leafIndex: number; proof: string[] }[];
}

/** manifest.json: the SHA-256 of every other file of the packet. */
export interface PacketManifest {
  algorithm: 'SHA-256';
  files: Record<string, string>;
}

/** The agency's streams a packet carries (never `access`, `access-log` or another agency's). */
export function packetStreamOf(agencyId: string, stream: string): 'agency' | 'roster' | 'officer' | undefined {
  if (stream === `agency-${agencyId}`) return 'agency';
  if (stream === `roster-${agencyId}`) return 'roster';
  const officer = /^officer-([^/]+)\/([^/]+)$/.exec(stream);
  return officer && officer[1] === agencyId ? 'officer' : undefined;
}
