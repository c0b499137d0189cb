/** Real PDF files for the certificate tests, made with pdf-lib (the library the server parses them with). */
import { PDFDocument, StandardFonts } from 'pdf-lib';

export async function certificatePdf(text = 'Certificate of completion: Minnesota SRO basic course'): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([612, 792]);
  page.drawText(text, { x: 50, y: 700, size: 14, font: await doc.embedFont(StandardFonts.Helvetica) });
  return Buffer.from(await doc.save());
}
