/**
 * The message that gives a witness the agency's latest signed checkpoint (docs/integrity.md
 * "Witnesses"): the checkpoint as an attachment (`checkpoint-<size>.txt`) and in the body, the
 * one-line instruction to keep it and how to check the records with it later, the verifier key
 * and where the agency publishes it. Plain text only: the checkpoint must arrive byte for byte.
 */
import { base64Root } from '../ledger/checkpoint-check';
export interface WitnessMessageInput {
  agency: { agencyId: string; name: string };
  witness: { name: string; email: string };
  checkpoint: { treeSize: number; rootHash: string; issuedAt: string; note: string };
  verifierKey: string;
  /** The public page's address when it is on (the verifier key is published there). */
  publicPageUrl?: string;
  /** The console's Integrity page, where a copy can be pasted. */
  integrityUrl: string;
}

export interface WitnessMessage {
  subject: string;
  text: string;
  attachment: { filename: string; content: string };
}

export const checkpointFileName = (treeSize: number): string => `checkpoint-${treeSize}.txt`;

export function renderWitnessMessage(input: WitnessMessageInput): WitnessMessage {
  const { agency, witness, checkpoint } = input;
  const filename = checkpointFileName(checkpoint.treeSize);
  const where = input.publicPageUrl
    ? `The agency publishes the same key on its public page, ${input.publicPageUrl}; compare it with the key above before you rely on it.`
    : 'The agency has not turned its public page on, so keep this key with the file: it is what proves the checkpoint is the ledger\'s.';
  const text = [
    `Dear ${witness.name},`,
    '',
    `${agency.name} (${agency.agencyId}) names you as a witness of its School Resource Officer compliance records. Attached is the latest signed checkpoint of its ledger: ${checkpoint.treeSize} events, root hash ${base64Root(checkpoint.rootHash)}, signed ${checkpoint.issuedAt.slice(0, 16).replace('T', ' ')} UTC.`,
    '',
    `Keep this file; to check the agency's records later, run: verify --checkpoint ${filename} --public-key '${input.verifierKey}' (or paste it on the Integrity page, ${input.integrityUrl}).`,
    '',
    `The check runs where the agency's records are (verify is a command of the sro-compliance software on the agency's server; the Integrity page needs a console account), so hand the file to whoever checks them: an investigator, an auditor, a court. It passes only while every record the checkpoint covers is unchanged: a record altered or removed later, whatever the file's age, makes it fail. ${where}`,
    '',
    `The public key: ${input.verifierKey}`,
    '',
    `The checkpoint (the same as ${filename}):`,
    '',
    checkpoint.note.trimEnd(),
    '',
    '--',
    `You receive at most one such message a day, when the ledger has grown since your last copy. To stop receiving them, ask ${agency.name}'s administrator to remove you as a witness.`,
  ].join('\n');
  return {
    subject: `${agency.name}: the ledger's signed checkpoint of ${checkpoint.treeSize} events, to keep`,
    text: `${text}\n`,
    attachment: { filename, content: checkpoint.note },
  };
}
