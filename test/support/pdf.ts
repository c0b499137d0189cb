/** Real PDF files for the certificate tests, made with pdf-lib (the library the server parses them with). */
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
