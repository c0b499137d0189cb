/**
 * checkPdf (src/common/pdf-check.ts), the one check of an uploaded PDF: a real decompression
 * bomb made here with zlib (about 1 MB that inflates to 1 GB, in an object stream, which pdf-lib
 * inflates when it loads a file) is refused with a 413 after inflating at most the budget, the
 * event loop answering timers all along; an ordinary file with an object stream passes; a file
 * too complex to read in the time or heap given is stopped (422).
 */
import { inflateSync } from 'node:zlib';
import { checkPdf, MAX_DECODED_BYTES } from '../../src/common/pdf-check';
import { MAX_CERTIFICATE_BYTES } from '../../src/officers/certificate-file';
import { certificatePdf, manyObjectsPdf, objectStreamPdf, polyglotPdf, zerosDeflated } from '../support/pdf';

jest.setTimeout(60_000);

/**
 * While `work` runs: the longest a 10 ms timer waited beyond its time (how long the event loop was
 * blocked), and the process's peak resident memory (a worker thread's included), sampled by it.
 */
async function whileRunning<T>(work: Promise<T>): Promise<{ result: T; stallMs: number; peakRss: number }> {
  let stallMs = 0;
  let peakRss = process.memoryUsage.rss();
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last - 10);
    last = now;
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 10);
  try {
    const result = await work;
    return { result, stallMs, peakRss };
  } finally {
    clearInterval(timer);
  }
}

it('the zlib bomb is what it claims: a few bytes per megabyte, inflating to zeros', () => {
  const four = zerosDeflated(4, Buffer.from('5 0 null'));
  expect(four.length).toBeLessThan(5_000);
  const out = inflateSync(four);
  expect(out.length).toBe(8 + (4 << 20));
  expect(out.subarray(0, 8).toString()).toBe('5 0 null');
  expect(out.subarray(8).every((b) => b === 0)).toBe(true);
  expect(objectStreamPdf(1024).length).toBeLessThan(1.2 * 1024 * 1024);
});

it('reads ordinary PDFs, one with an object stream among them', async () => {
  expect(await checkPdf(await certificatePdf())).toEqual({ ok: true, pages: 1 });
  expect(await checkPdf(objectStreamPdf(1))).toEqual({ ok: true, pages: 1 });
  expect(await checkPdf(await polyglotPdf())).toEqual({ ok: true, pages: 1 });
});

it('refuses a 1 MB PDF that inflates to 1 GB (413) with bounded memory, the event loop free all along', async () => {
  const bomb = objectStreamPdf(1024);
  const rssBefore = process.memoryUsage.rss();
  const started = performance.now();
  const { result, stallMs, peakRss } = await whileRunning(checkPdf(bomb));
  expect(result).toEqual({ ok: false, status: 413, problem: expect.stringMatching(/inflates to more than 32 MB/) });
  // The check stopped at the budget, long before a gigabyte: quickly, in far less memory (at its peak,
  // the worker's buffers and heap included), and the event loop kept its timers (the old check held it for ~30 s).
  const measured = { ms: performance.now() - started, rssGrowthMb: (peakRss - rssBefore) / 1024 / 1024, stallMs };
  const within = { ms: measured.ms < 15_000, rssGrowthMb: measured.rssGrowthMb < 256, stallMs: measured.stallMs < 200 };
  expect({ measured, within }).toEqual({ measured, within: { ms: true, rssGrowthMb: true, stallMs: true } });
});

it('stops a check that takes longer than its time (422) and frees its place', async () => {
  const slow = await checkPdf(objectStreamPdf(24), { timeoutMs: 1 });
  expect(slow).toEqual({ ok: false, status: 422, problem: expect.stringMatching(/too complex to check/) });
  expect(await checkPdf(await certificatePdf())).toEqual({ ok: true, pages: 1 });
});

it('stops a check whose objects need more heap than it is given (422); an ordinary file fits in the same heap', async () => {
  const crowded = manyObjectsPdf(100_000);
  expect(crowded.length).toBeLessThan(MAX_CERTIFICATE_BYTES);
  expect(await checkPdf(crowded, { heapMb: 16 })).toEqual({ ok: false, status: 422, problem: expect.stringMatching(/needs more memory than a check is given/) });
  expect(await checkPdf(await certificatePdf(), { heapMb: 16 })).toEqual({ ok: true, pages: 1 });
});

it('refuses what is not a PDF, or begins like one and is not (415)', async () => {
  expect(await checkPdf(Buffer.from('just text'))).toMatchObject({ ok: false, status: 415, problem: expect.stringMatching(/not a PDF.*save the document as a PDF$/) });
  // The caller names the document for the clerk (the contract form: "save the contract as a PDF").
  expect(await checkPdf(Buffer.from('just text'), {}, 'contract')).toMatchObject({ ok: false, status: 415, problem: expect.stringMatching(/not a PDF.*save the contract as a PDF$/) });
  expect(await checkPdf(Buffer.alloc(0))).toMatchObject({ ok: false, status: 415, problem: 'the file is empty' });
  expect(await checkPdf((await certificatePdf()).subarray(0, 60))).toMatchObject({ ok: false, status: 415, problem: expect.stringMatching(/cannot be read as one/) });
});
