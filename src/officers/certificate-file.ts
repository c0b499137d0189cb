/**
 * A certificate file as uploaded (issue 12 item 3): a PDF of at most 10 MB, judged by its bytes,
 * never by its name or declared type: it must begin with `%PDF-` and pdf-lib must be able to
 * parse it (its cross-reference table and objects). Its SHA-256 is computed here, by the server;
 * the event records that hash and the file is stored under it (content-addressed).
 */
import { createHash } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import { plainTextProblem } from '../common/plain-text';

export const MAX_CERTIFICATE_BYTES = 10 * 1024 * 1024;

/** Why the bytes are not a PDF this product takes (415), or undefined; `what` names the document (a certificate, a signed contract). */
export async function pdfProblem(bytes: Buffer, what = 'certificate'): Promise<string | undefined> {
  if (bytes.length === 0) return 'file: the file is empty';
  if (bytes.length > MAX_CERTIFICATE_BYTES) return `file: a ${what} is at most 10 MB`;
  if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') return `file: this is not a PDF (a PDF file begins with %PDF-); scan or save the ${what} as a PDF`;
  try {
    const doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: true });
    if (doc.getPageCount() < 1) return 'file: the PDF has no page';
  } catch {
    return 'file: the file begins like a PDF but cannot be read as one (damaged or incomplete); save it again as a PDF';
  }
  return undefined;
}

export const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** The file name as recorded: the upload's own name, without any folder, in plain text. */
export function uploadedFileName(original: string | undefined, fallback = 'certificate.pdf'): string | { problem: string } {
  const base = (original ?? '').split(/[\\/]/).pop()!.normalize('NFC').trim();
  if (!base) return fallback;
  const problem = plainTextProblem(base);
  if (problem) return { problem: `fileName ${problem}` };
  return base.slice(0, 255);
}

/**
 * An uploaded certificate as the ledger records it: the SHA-256 of its bytes and the upload's own
 * name; or why it is refused (415 not a PDF, 400 a name that is not plain text). One check for
 * the API route and the console's form.
 */
export function checkedCertificate(bytes: Buffer, originalName: string | undefined): Promise<{ sha256: string; fileName: string } | { status: 400 | 415; problem: string }> {
  return checkedPdf(bytes, originalName, 'certificate');
}

/** The same check for any PDF the console takes (a certificate; a signed contract, docs/decisions.md W35). */
export async function checkedPdf(bytes: Buffer, originalName: string | undefined, what: string): Promise<{ sha256: string; fileName: string } | { status: 400 | 415; problem: string }> {
  const problem = await pdfProblem(bytes, what);
  if (problem) return { status: 415, problem };
  const fileName = uploadedFileName(originalName, `${what.replace(/\W+/g, '-')}.pdf`);
  if (typeof fileName !== 'string') return { status: 400, problem: fileName.problem };
  return { sha256: sha256Of(bytes), fileName };
}
