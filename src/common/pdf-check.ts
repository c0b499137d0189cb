/**
 * The one check that uploaded bytes are a PDF this product keeps (certificates; any other PDF
 * upload): `checkPdf(bytes)`. It begins with `%PDF-`, and pdf-lib parses its structure (the
 * cross-reference, the objects, the page tree) and finds at least one page.
 *
 * Parsing is bounded, because a PDF can hold a decompression bomb (docs/decisions.md W39):
 * pdf-lib's load() inflates the object streams and cross-reference streams (content streams and
 * images it leaves compressed), and a 1 MB object stream can inflate to 1 GB. So the parse runs
 * in a worker thread, never on the event loop, with
 * - at most MAX_DECODED_BYTES inflated in all (every filter pdf-lib decodes with goes through
 *   its DecodeStream's buffer, which the worker caps; past it the file is refused, 413);
 * - a JavaScript heap of at most WORKER_HEAP_MB (past it the worker is stopped, 422);
 * - at most CHECK_TIMEOUT_MS of time (past it the worker is terminated, 422);
 * - at most MAX_CONCURRENT_CHECKS workers at once (later checks wait their turn).
 *
 * The messages name no field: the caller puts its own in front (`file: ...`). The caller may
 * name the document (`what`: a certificate, a signed contract) for the clerk's sentence; else it
 * is "the document".
 */
import { Worker } from 'node:worker_threads';

/** Bytes inflated while parsing (object and cross-reference streams), in all. */
export const MAX_DECODED_BYTES = 32 * 1024 * 1024;
/** The parse's JavaScript heap (old generation), in MB. */
export const WORKER_HEAP_MB = 128;
/** How long a check may take before it is stopped. */
export const CHECK_TIMEOUT_MS = 10_000;
/** Checks that run at once (each is one worker thread); more wait. */
export const MAX_CONCURRENT_CHECKS = 2;

export type PdfCheck = { ok: true; pages: number } | { ok: false; status: 413 | 415 | 422; problem: string };

export interface PdfCheckLimits {
  maxDecodedBytes?: number;
  timeoutMs?: number;
  heapMb?: number;
}

const mb = (bytes: number): string => `${Math.round(bytes / 1024 / 1024)} MB`;

/**
 * Whether `bytes` are a readable PDF with at least one page; if not, why (415: not a PDF, or
 * damaged; 413: compressed data that inflates past the limit; 422: too complex to read within
 * the time or memory a check has). `what` names the document in the not-a-PDF sentence. Never
 * throws for the file's sake.
 */
export async function checkPdf(bytes: Uint8Array, limits: PdfCheckLimits = {}, what = 'document'): Promise<PdfCheck> {
  const maxDecodedBytes = limits.maxDecodedBytes ?? MAX_DECODED_BYTES;
  const timeoutMs = limits.timeoutMs ?? CHECK_TIMEOUT_MS;
  if (bytes.length === 0) return { ok: false, status: 415, problem: 'the file is empty' };
  if (Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(5, bytes.length)).toString('latin1') !== '%PDF-') {
    return { ok: false, status: 415, problem: `this is not a PDF (a PDF file begins with %PDF-); scan or save the ${what} as a PDF` };
  }
  const release = await turn();
  try {
    const outcome = await parseInWorker(bytes, maxDecodedBytes, timeoutMs, limits.heapMb ?? WORKER_HEAP_MB);
    switch (outcome.kind) {
      case 'pages':
        return outcome.pages >= 1 ? { ok: true, pages: outcome.pages } : { ok: false, status: 415, problem: 'the PDF has no page' };
      case 'expands':
        return { ok: false, status: 413, problem: `the PDF holds compressed data that inflates to more than ${mb(maxDecodedBytes)} when read (a decompression bomb, or a file far larger than a certificate); save it again as an ordinary PDF` };
      case 'timeout':
        return { ok: false, status: 422, problem: `the PDF is too complex to check: reading it took longer than ${Math.round(timeoutMs / 1000)} seconds; save it again as an ordinary PDF` };
      case 'memory':
        return { ok: false, status: 422, problem: 'the PDF is too complex to check: reading it needs more memory than a check is given; save it again as an ordinary PDF' };
      default:
        return { ok: false, status: 415, problem: 'the file begins like a PDF but cannot be read as one (damaged or incomplete); save it again as a PDF' };
    }
  } finally {
    release();
  }
}

type Outcome = { kind: 'pages'; pages: number } | { kind: 'expands' | 'timeout' | 'memory' | 'unreadable' };

/** pdf-lib's own files, resolved here so that the worker loads the same copy from any working directory. */
const PDF_LIB = require.resolve('pdf-lib');
const DECODE_STREAM = require.resolve('pdf-lib/cjs/core/streams/DecodeStream');

/**
 * The worker (plain JavaScript, evaluated: nothing to compile). It caps pdf-lib's DecodeStream
 * buffer (the one place every FlateDecode, LZW, RunLength, ASCII85 and ASCIIHex decode grows
 * into) at the budget of inflated bytes, counted across every stream of the file; then loads the
 * document and counts its pages. The cap lives in the worker's own copy of pdf-lib: the server's
 * other uses of pdf-lib are untouched.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const DecodeStream = require(workerData.decodeStream).default;
const grow = DecodeStream.prototype.ensureBuffer;
const counted = new WeakMap();
let inflated = 0;
let exceeded = false;
DecodeStream.prototype.ensureBuffer = function (requested) {
  const before = counted.get(this) || 0;
  if (requested > before) {
    inflated += requested - before;
    counted.set(this, requested);
    if (inflated > workerData.maxDecodedBytes) {
      exceeded = true;
      throw new Error('inflated data over the limit');
    }
  }
  return grow.call(this, requested);
};
const { PDFDocument, ParseSpeeds } = require(workerData.pdfLib);
PDFDocument.load(workerData.bytes, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: true, parseSpeed: ParseSpeeds.Fastest })
  .then((doc) => parentPort.postMessage(exceeded ? { kind: 'expands' } : { kind: 'pages', pages: doc.getPageCount() }))
  .catch(() => parentPort.postMessage({ kind: exceeded ? 'expands' : 'unreadable' }));
`;

function parseInWorker(bytes: Uint8Array, maxDecodedBytes: number, timeoutMs: number, heapMb: number): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { bytes, maxDecodedBytes, pdfLib: PDF_LIB, decodeStream: DECODE_STREAM },
      resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 16, codeRangeSizeMb: 16, stackSizeMb: 4 },
      stdout: true,
      stderr: true,
    });
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
      void worker.terminate();
    };
    const timer = setTimeout(() => settle({ kind: 'timeout' }), timeoutMs);
    // pdf-lib may warn on stdout/stderr about odd files: the worker's output is not the server's log.
    worker.stdout.resume();
    worker.stderr.resume();
    worker.on('message', (message: Outcome) => settle(message));
    worker.on('error', (error: Error & { code?: string }) => settle({ kind: error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'unreadable' }));
    worker.on('exit', () => settle({ kind: 'unreadable' }));
  });
}

/** A place among the MAX_CONCURRENT_CHECKS running checks: resolves when one is free, with the function that frees it. */
let running = 0;
const waiting: (() => void)[] = [];
function turn(): Promise<() => void> {
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  if (running < MAX_CONCURRENT_CHECKS) {
    running++;
    return Promise.resolve(release);
  }
  return new Promise((resolve) => waiting.push(() => resolve(release)));
}
