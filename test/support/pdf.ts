/** Real PDF files for the certificate tests, made with pdf-lib (the library the server parses them with). */
import { constants as zlibConstants, deflateRawSync, deflateSync } from 'node:zlib';
import { PDFDocument, StandardFonts } from 'pdf-lib';

export async function certificatePdf(text = 'Certificate of completion: Minnesota SRO basic course'): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([612, 792]);
  page.drawText(text, { x: 50, y: 700, size: 14, font: await doc.embedFont(StandardFonts.Helvetica) });
  return Buffer.from(await doc.save());
}

/** A real PDF that is also an HTML page: an HTML script in a comment line right after the PDF header (pdf-lib parses it; a browser opening it as .html runs the script). */
export async function polyglotPdf(): Promise<Buffer> {
  const bytes = await certificatePdf('Certificate of completion (polyglot)');
  const headerEnd = bytes.indexOf(0x0a) + 1;
  const html = Buffer.from('%<html><body><script>document.title = "script ran"</script></body></html>\n', 'latin1');
  return Buffer.concat([bytes.subarray(0, headerEnd), html, bytes.subarray(headerEnd)]);
}

/**
 * A zlib stream of `prefix` then `megabytes` MB of zeros, about 1 KB per MB: the prefix, then the
 * same fully flushed deflate segment (1 MB of zeros, dictionary reset) repeated, the final block,
 * and the Adler-32 of the whole (n zeros after the prefix leave a as it is and add n·a to b).
 * Valid for any inflater, and made in milliseconds where compressing 1 GB would take seconds.
 */
export function zerosDeflated(megabytes: number, prefix = Buffer.alloc(0)): Buffer {
  const flushed = (bytes: Buffer) => deflateRawSync(bytes, { level: 9, finishFlush: zlibConstants.Z_FULL_FLUSH });
  const segment = flushed(Buffer.alloc(1 << 20));
  let a = 1;
  let b = 0;
  for (const byte of prefix) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  b = (b + ((megabytes * (1 << 20)) % 65521) * a) % 65521;
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((b * 65536 + a) >>> 0);
  return Buffer.concat([Buffer.from([0x78, 0xda]), flushed(prefix), ...Array.from({ length: megabytes }, () => segment), deflateRawSync(Buffer.alloc(0)), adler]);
}

/**
 * A one-page PDF whose object stream (which pdf-lib inflates when it loads a file) holds
 * `megabytes` MB of zeros compressed to about a thousandth: with 1024, a decompression bomb of
 * about 1 MB that inflates to 1 GB. With a small size it is an ordinary, readable PDF.
 */
export function objectStreamPdf(megabytes: number): Buffer {
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let length = 0;
  const add = (part: Buffer | string) => {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'latin1') : part;
    parts.push(bytes);
    length += bytes.length;
  };
  const object = (text: string) => {
    offsets.push(length);
    add(text);
  };
  add('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n');
  object('1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n');
  object('2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n');
  object('3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>\nendobj\n');
  // Object 5 in the object stream, then zeros (whitespace to a PDF parser).
  const stream = zerosDeflated(megabytes, Buffer.from('5 0 << /Filler true >>'));
  object(`4 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length ${stream.length} >>\nstream\n`);
  add(stream);
  add('\nendstream\nendobj\n');
  const xref = length;
  add(`xref\n0 5\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`);
  add(`trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return Buffer.concat(parts);
}

/**
 * A one-page PDF whose object stream holds `count` small objects (`<< /K7 [7 7 7] >>`), each of
 * which pdf-lib builds in memory when it loads the file: about 10 bytes compressed an object,
 * a heap many times that once read.
 */
export function manyObjectsPdf(count: number): Buffer {
  const objects = Array.from({ length: count }, (_, i) => `<< /K${i} [${i} ${i} ${i}] >>`);
  let offset = 0;
  const table = objects.map((text, i) => {
    const entry = `${i + 10} ${offset}`;
    offset += text.length + 1;
    return entry;
  });
  const head = `${table.join(' ')}\n`;
  const stream = deflateSync(Buffer.from(`${head}${objects.join('\n')}\n`, 'latin1'));
  const before =
    '%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n' +
    '3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>\nendobj\n' +
    `4 0 obj\n<< /Type /ObjStm /N ${count} /First ${head.length} /Filter /FlateDecode /Length ${stream.length} >>\nstream\n`;
  return Buffer.concat([Buffer.from(before, 'latin1'), stream, Buffer.from('\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1')]);
}
