/**
 * A certificate file as uploaded: a PDF of at most 10 MB, judged by its bytes, never by its name
 * or declared type: checkPdf (src/common/pdf-check.ts: it begins with `%PDF-` and pdf-lib parses
 * it, in a worker with bounded inflation, memory and time). Its SHA-256 is computed here, by the server;
 * the event records that hash and the file is stored under it (content-addressed).
 */
import { createHash } from 'node:crypto';
import { checkPdf } from '../common/pdf-check';
import { plainTextProblem } from '../common/plain-text';

export const MAX_CERTIFICATE_BYTES = 10 * 1024 * 1024;

/**
 * Why the bytes are not a PDF this product keeps, with the answer's status (415 not a PDF; 413
 * over 10 MB, or compressed data that inflates too far; 422 too complex to read in a check's time
 * and memory: src/common/pdf-check.ts), or undefined. `what` names the document (a certificate, a
 * signed contract).
 */
export async function pdfProblem(bytes: Buffer, what = 'certificate'): Promise<{ status: 413 | 415 | 422; problem: string } | undefined> {
  if (bytes.length > MAX_CERTIFICATE_BYTES) return { status: 413, problem: `file: a ${what} is at most 10 MB` };
  const checked = await checkPdf(bytes, {}, what);
  return checked.ok ? undefined : { status: checked.status, problem: `file: ${checked.problem}` };
}

export const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** The file name as recorded: the upload's own name, without any folder, in plain text. */
export function uploadedFileName(original: string | undefined, fallback = 'certificate.pdf'): string | { problem: string } {
  const base = (original ?? '').split(/[\\/]/).pop()!.normalize('NFC').trim();
  if (!base) return fallback;
  const problem = plainTextProblem(base);
  if (problem) return { problem: `fileName ${problem}` };
  // At most 255 characters, never cutting a character in two (a lone surrogate is not text).
  return [...base].slice(0, 255).join('');
}

/**
 * An uploaded certificate as the ledger records it: the SHA-256 of its bytes and the upload's own
 * name; or why it is refused (415 not a PDF, 413 too large or inflating too far, 422 too complex
 * to check, 400 a name that is not plain text). One check for
 * the API route and the console's form.
 */
export function checkedCertificate(bytes: Buffer, originalName: string | undefined): Promise<{ sha256: string; fileName: string } | { status: 400 | 413 | 415 | 422; problem: string }> {
  return checkedPdf(bytes, originalName, 'certificate');
}

/** The same check for any PDF the console takes (a certificate; a signed contract, docs/decisions.md W35). */
export async function checkedPdf(bytes: Buffer, originalName: string | undefined, what: string): Promise<{ sha256: string; fileName: string } | { status: 400 | 413 | 415 | 422; problem: string }> {
  const problem = await pdfProblem(bytes, what);
  if (problem) return problem;
  const fileName = uploadedFileName(originalName, `${what.replace(/\W+/g, '-')}.pdf`);
  if (typeof fileName !== 'string') return { status: 400, problem: fileName.problem };
  return { sha256: sha256Of(bytes), fileName };
}
