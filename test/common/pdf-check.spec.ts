/**
 * checkPdf (src/common/pdf-check.ts), the one check of an uploaded PDF: a real decompression
 * bomb made here with zlib (about 1 MB that inflates to 1 GB, in an object stream, which pdf-lib
 * inflates when it loads a file) is refused with a 413 after inflating at most the budget, the
 * event loop answering timers all along; an ordinary file with an object stream passes; a file
 * too complex to read in the time given is stopped (422).
 */
import { inflateSync } from 'node:zlib';
import { checkPdf, MAX_DECODED_BYTES } from '../../src/common/pdf-check';
import { certificatePdf, objectStreamPdf, polyglotPdf, zerosDeflated } from '../support/pdf';

jest.setTimeout(60_000);

/** The longest a 10 ms timer waited beyond its time while `work` ran: how long the event loop was blocked. */
async function longestStall<T>(work: Promise<T>): Promise<{ result: T; stallMs: number }> {
  let stallMs = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last - 10);
    last = now;
  }, 10);
  try {
    const result = await work;
    return { result, stallMs };
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
  const before = process.memoryUsage();
  const started = performance.now();
  const { result, stallMs } = await longestStall(checkPdf(bomb));
  expect(result).toEqual({ ok: false, status: 413, problem: expect.stringMatching(/inflates to more than 32 MB/) });
  // The check stopped at the budget, long before a gigabyte: quickly, and without the memory.
  expect(performance.now() - started).toBeLessThan(8_000);
  expect(process.memoryUsage().rss - before.rss).toBeLessThan(4 * MAX_DECODED_BYTES);
  expect(stallMs).toBeLessThan(150);
});

it('stops a check that takes longer than its time (422) and frees its place', async () => {
  const slow = await checkPdf(objectStreamPdf(24), { timeoutMs: 1 });
  expect(slow).toEqual({ ok: false, status: 422, problem: expect.stringMatching(/too complex to check/) });
  expect(await checkPdf(await certificatePdf())).toEqual({ ok: true, pages: 1 });
});

it('refuses what is not a PDF, or begins like one and is not (415)', async () => {
  expect(await checkPdf(Buffer.from('just text'))).toMatchObject({ ok: false, status: 415, problem: expect.stringMatching(/not a PDF/) });
  expect(await checkPdf(Buffer.alloc(0))).toMatchObject({ ok: false, status: 415, problem: 'the file is empty' });
  expect(await checkPdf((await certificatePdf()).subarray(0, 60))).toMatchObject({ ok: false, status: 415, problem: expect.stringMatching(/cannot be read as one/) });
});
