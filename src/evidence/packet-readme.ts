/**
 * README.txt of an evidence packet: how a recipient checks it, and what "verified" means and does
 * not mean (docs/integrity.md "What it cannot prove", in plain words). docs/decisions.md W66.
 */
import type { EvidenceReport } from './verify/derive-report';

export function packetReadme(report: Pick<EvidenceReport, 'agencyId' | 'agencyName' | 'asOf' | 'knownAt'>, checkpoint: { treeSize: number; origin: string }): string {
  return `SRO COMPLIANCE EVIDENCE PACKET
${report.agencyName} (agency ID ${report.agencyId})

This packet shows the agency's School Resource Officer compliance on ${report.asOf} (a calendar
day in Minnesota) as the agency's records stood at ${report.knownAt} (an instant, UTC). A record
entered after that instant is not in it.

WHAT IS IN IT
  report.pdf       the report to read: the agency's findings, each officer's status and findings
                   with their legal citations, the contracts with school districts and their
                   clauses, the SRO policy versions and who reviewed them.
  report.json      the same report, as data.
  events.jsonl     every record (event) of the agency and its officers known at that instant, one
                   per line, exactly as stored, with its hash and its place in the ledger.
  checkpoint.txt   a signed checkpoint of the agency's whole ledger (${checkpoint.treeSize} events, log
                   ${checkpoint.origin}): a fixed point the agency cannot later deny.
  proofs.json      for each event, the proof that it is in that checkpoint.
  certificates/    the training certificates (PDF) those events name, as filed.
  public-key.txt   the key the checkpoint is signed with, as the packet states it.
  manifest.json    the SHA-256 of every other file.

HOW TO CHECK IT (without trusting the agency)
  1. Get the agency's verifier key from somewhere the agency cannot change after the fact: the
     agency's published copy, or one a witness (a county attorney, the school district) kept.
     The packet's own public-key.txt proves nothing against the agency: whoever made the packet
     could have made that key too.
  2. With Node.js 20 or 22, in a copy of the sro-compliance source (no database is needed):
         npm ci
         npm run --silent cli -- verify-evidence this-packet.zip --public-key '<verifier key>'
  3. It prints "verified" and a summary and exits 0, or exits 1 naming the first thing that does
     not hold.

WHAT "VERIFIED" MEANS
  - No file was changed since the packet was made (manifest.json).
  - The checkpoint is signed by the key you gave.
  - Every event is in that signed checkpoint, and each officer's and the agency's records form an
    unbroken chain from their first record: none was altered, reordered or removed from the
    middle, and every officer on the agency's roster is in the packet.
  - Each certificate file is the very file whose SHA-256 was recorded when it was filed.
  - report.json is exactly what the compliance rules give from those events (the verifier
    derives it again), so the report was not edited.

WHAT IT DOES NOT MEAN
  - The ledger proves what was recorded, not what happened in the world: a training never
    recorded, or recorded wrongly, is not caught.
  - Records entered after the checkpoint, or the last records of a stream left out of a packet,
    cannot be seen by the verifier. A checkpoint you or a witness kept from earlier, checked with
    "verify --checkpoint" against the agency's ledger, proves that the ledger later only grew.
  - Someone holding the agency's signing key can sign a rewritten history; only a checkpoint kept
    by someone outside from before the rewrite shows it. That is why witnesses keep checkpoints.
  - report.pdf is a rendering of report.json; the verifier checks report.json and the PDF's
    SHA-256, not the PDF's wording. The rules are those of the version of the product you run:
    a later version may read the same events differently.

DATA PRACTICES
  The events are whole (each event's hash covers all of it), so they carry the officer's license
  number and free-text reasons (a separation note, a correction's reason) as well as what Minn.
  Stat. 13.43 subd. 2 makes public personnel data (name, education and training background,
  work-related continuing education, work location, dates of employment). The agency decides
  who receives the packet. It never holds tokens, accounts, passwords or the access log.
`;
}
