/**
 * report.pdf of an evidence packet (docs/decisions.md W65): what a reviewer reads. pdfkit (a PDF
 * library for Node with no browser, streaming: each page is written out when the next begins),
 * standard Helvetica, so the text can be searched and copied. Every page states the two times in
 * a sentence and its number ("Page 3 of 41"); a cover (the agency, the checkpoint's tree size and
 * root), a table of contents with page numbers and links, the agency's findings, its policy
 * versions and who reviewed them, its contracts and their clauses, then one section per officer
 * (status in words, each finding with its citation and the events it rests on, the certificate
 * on file).
 *
 * The table of contents is at the front, so its page numbers are known before the pages are: the
 * document is laid out twice, first into nothing (to learn where each section starts and how many
 * pages there are), then for real, streamed. The report itself (report.json) is in memory either way.
 */
import PDFDocument from 'pdfkit';
import { Writable, type Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { EvidenceReport, ReportOfficer } from './verify/derive-report';

export interface PdfCheckpoint {
  origin: string;
  treeSize: number;
  rootHash: string;
  verifierKey: string;
}

const STATUS_WORDS: Record<string, string> = {
  COMPLIANT: 'Compliant',
  NON_COMPLIANT: 'Not compliant',
  CONDITIONAL: 'Conditional: an exception deadline is pending',
  EXEMPT: 'Exempt: a substitute under 60 contact days',
  NOT_ASSIGNED: 'Not assigned',
};
const OUTCOME_WORDS: Record<string, string> = {
  MET: 'met',
  PENDING: 'pending (due later)',
  VIOLATED: 'VIOLATED',
  EXEMPT: 'exempt',
  NOT_APPLICABLE: 'not applicable',
  ADVISORY: 'advisory (a "should", not a violation)',
};
const CLAUSE_WORDS: Record<string, string> = {
  dutiesPerSubd2: 'SRO duties (Minn. Stat. 626.8482 subd. 2)',
  attire: 'attire',
  districtRoleInSelection: "the district's role in selection, vetting and retention",
  deescalationResources: 'de-escalation resources',
  publicNotification: 'public notification',
  dataPractices: 'data practices',
};

/** Helvetica's encoding (WinAnsi): other characters are shown as "?" rather than as wrong glyphs. */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
export const pdfText = (s: string): string => [...s].map((c) => (c.charCodeAt(0) <= 0xff && !/[\u0000-\u001f\u007f-\u009f]/.test(c)) || WIN_ANSI_EXTRA.has(c) ? c : '?').join('');

/** The two times in a sentence (docs/reference.md#time): on every page. */
export const timesSentence = (r: Pick<EvidenceReport, 'asOf' | 'knownAt'>): string =>
  `Status on ${r.asOf} (effective date, Minnesota) as the records stood at ${r.knownAt} (recorded-at instant, UTC).`;

const TOC_LINES_PER_PAGE = 38;
/** Bytes of PDF written but not yet read after which the layout waits for the reader. */
const HIGH_WATER = 1024 * 1024;
const MARGIN = 60;

interface Layout {
  /** Section key → the page it starts on (1-based). */
  pages: Map<string, number>;
  total: number;
}

interface TocEntry {
  key: string;
  label: string;
  indent: number;
}

function tocEntries(report: EvidenceReport): TocEntry[] {
  return [
    { key: 'agency', label: "The agency's findings", indent: 0 },
    { key: 'policies', label: 'SRO policy versions and who reviewed them', indent: 0 },
    { key: 'contracts', label: 'Contracts with school districts and their clauses', indent: 0 },
    { key: 'officers', label: `Officers (${report.officers.length})`, indent: 0 },
    ...report.officers.map((o) => ({ key: `officer:${o.officerId}`, label: `${o.name} (${o.officerId}): ${STATUS_WORDS[o.status] ?? o.status}`, indent: 14 })),
  ];
}

/** Lays the document out into `doc`; records each section's first page. */
async function render(doc: PDFKit.PDFDocument, report: EvidenceReport, checkpoint: PdfCheckpoint, layout: Layout | undefined, pages: Map<string, number>): Promise<number> {
  let page = 0;
  const width = () => doc.page.width - 2 * MARGIN;
  doc.on('pageAdded', () => {
    page++;
    const { x, y } = doc;
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font('Helvetica').fontSize(7.5).fillColor('#333333');
    doc.text(pdfText(`${report.agencyName} (${report.agencyId}), SRO compliance evidence packet. ${timesSentence(report)}`), MARGIN, 28, { width: width(), lineBreak: false, ellipsis: true });
    doc.text(`Page ${page} of ${layout ? layout.total : '?'}`, MARGIN, doc.page.height - 36, { width: width(), align: 'right', lineBreak: false });
    doc.page.margins.bottom = bottom;
    doc.fillColor('black').font('Helvetica').fontSize(10);
    doc.x = x;
    doc.y = MARGIN;
  });
  /** A section starts here: its page, its link target, its bookmark (returned, for the officers under it). */
  const mark = (key: string, title: string) => {
    pages.set(key, page);
    doc.addNamedDestination(key.replace(/[^A-Za-z0-9_.-]/g, '_'));
    return doc.outline.addItem(pdfText(title));
  };
  const heading = (text: string, size = 15) => {
    if (doc.y > doc.page.height - MARGIN - 80) doc.addPage();
    doc.moveDown(0.6).font('Helvetica-Bold').fontSize(size).text(pdfText(text), MARGIN, doc.y, { width: width() }).font('Helvetica').fontSize(10).moveDown(0.3);
  };
  const para = (text: string, options: { bold?: boolean; size?: number; indent?: number } = {}) => {
    doc.font(options.bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(options.size ?? 10).text(pdfText(text), MARGIN + (options.indent ?? 0), doc.y, { width: width() - (options.indent ?? 0) });
    doc.font('Helvetica').fontSize(10);
  };

  doc.addPage();
  // The cover.
  doc.moveDown(2);
  para('SRO compliance evidence packet', { bold: true, size: 22 });
  doc.moveDown(0.5);
  para(`${report.agencyName} (agency ID ${report.agencyId})`, { bold: true, size: 14 });
  doc.moveDown(1);
  para(timesSentence(report), { size: 12 });
  para(`In words: what the agency's records, as they stood at ${report.knownAt}, show about ${report.asOf}. A record entered later is not in this report.`);
  doc.moveDown(1);
  para('Counts of officers by status', { bold: true });
  for (const [status, n] of Object.entries(report.counts)) para(`${STATUS_WORDS[status] ?? status} (${status}): ${n}`, { indent: 14 });
  doc.moveDown(1);
  para('The signed checkpoint this packet is proven against', { bold: true });
  para(`Log: ${checkpoint.origin}`, { indent: 14 });
  para(`Tree size: ${checkpoint.treeSize} events`, { indent: 14 });
  para(`Root hash: ${checkpoint.rootHash}`, { indent: 14 });
  para(`Verifier key: ${checkpoint.verifierKey}`, { indent: 14, size: 8.5 });
  doc.moveDown(1);
  para(
    'Every event in events.jsonl is proven to be in that checkpoint (proofs.json). To check the whole packet without trusting the agency, run the verifier with the verifier key the agency published: see README.txt in the packet.',
  );

  // The table of contents: its pages are reserved whatever the layout, so both passes agree.
  const entries = tocEntries(report);
  for (let at = 0; at < entries.length; at += TOC_LINES_PER_PAGE) {
    doc.addPage();
    if (at === 0) {
      mark('contents', 'Contents');
      para('Contents', { bold: true, size: 15 });
      doc.moveDown(0.5);
    }
    for (const entry of entries.slice(at, at + TOC_LINES_PER_PAGE)) {
      const y = doc.y;
      const target = layout?.pages.get(entry.key);
      const destination = entry.key.replace(/[^A-Za-z0-9_.-]/g, '_');
      doc.font('Helvetica').fontSize(10);
      doc.text(pdfText(entry.label), MARGIN + entry.indent, y, { width: width() - entry.indent - 50, lineBreak: false, ellipsis: true, goTo: destination });
      doc.text(target === undefined ? '?' : String(target), MARGIN + width() - 40, y, { width: 40, align: 'right', lineBreak: false });
      doc.y = y + 15;
      doc.x = MARGIN;
    }
  }

  // The agency's findings.
  doc.addPage();
  mark('agency', "The agency's findings");
  heading("The agency's findings");
  para(`The agency's own obligations on ${report.asOf}, as its records stood at ${report.knownAt}.`);
  for (const f of report.agencyFindings) {
    doc.moveDown(0.4);
    const contract = (f as { contractId?: string }).contractId;
    para(`${f.rule}${contract ? ` (contract ${contract})` : ''}: ${OUTCOME_WORDS[f.outcome] ?? f.outcome}${f.dueDate ? `, due ${f.dueDate}` : ''}`, { bold: true });
    para(`Citation: ${f.citation}`, { indent: 14 });
    para(f.explanation, { indent: 14 });
    if (f.evidence.length > 0) para(`Rests on events: ${f.evidence.join(', ')}`, { indent: 14, size: 8 });
  }

  // Policy versions and reviews.
  heading('SRO policy versions and who reviewed them');
  mark('policies', 'SRO policy versions and who reviewed them');
  if (report.policies.length === 0) para('No SRO policy version is recorded.');
  for (const p of report.policies) {
    doc.moveDown(0.3);
    para(`Version ${p.version}, adopted ${p.adoptedOn}${p.modelRevision ? `, following the POST Board model policy of ${p.modelRevision}` : ''} (event ${p.eventId})`, { bold: true });
    const reviewers = report.officers.flatMap((o) => o.reviews.filter((r) => r.version === p.version).map((r) => `${o.name} (${o.officerId}) on ${r.reviewedOn}`));
    para(reviewers.length > 0 ? `Reviewed by: ${reviewers.join('; ')}.` : 'Reviewed by no officer on the report.', { indent: 14 });
  }

  // Contracts.
  heading('Contracts with school districts and their clauses');
  mark('contracts', 'Contracts with school districts and their clauses');
  if (report.contracts.length === 0) para('No SRO contract is recorded.');
  for (const c of report.contracts) {
    doc.moveDown(0.3);
    para(`Contract ${c.contractId} with ${c.district}`, { bold: true });
    para(`In force from ${c.effectiveFrom}${c.effectiveTo ? ` to ${c.effectiveTo}` : ', with no end date'}${c.endedOn ? `; ended early, last day ${c.endedOn}` : ''}. Schools: ${c.schools.join('; ')}. (event ${c.eventId})`, { indent: 14 });
    for (const [clause, words] of Object.entries(CLAUSE_WORDS)) {
      const ref = (c.clauses as unknown as Record<string, string | null>)[clause];
      para(`${words}: ${ref ? `section ${ref}` : 'not addressed'}`, { indent: 28, size: 9 });
    }
    for (const a of c.amendments) para(`Amended from ${a.effectiveOn}${a.schools ? `: schools ${a.schools.join('; ')}` : ''}${a.effectiveTo ? `; in force to ${a.effectiveTo}` : ''}${a.clauses ? `; clauses ${Object.entries(a.clauses).map(([k, v]) => `${k} ${v ?? 'not addressed'}`).join(', ')}` : ''} (event ${a.eventId})`, { indent: 28, size: 9 });
  }

  // The officers.
  doc.addPage();
  const officersBookmark = mark('officers', `Officers (${report.officers.length})`);
  heading(`Officers (${report.officers.length})`);
  para(`Each officer on the agency's active roster on ${report.asOf}, in order of officer ID, with every rule checked.`);
  for (const o of report.officers) {
    officerSection(o);
    // pdfkit pushes pages without backpressure: wait while the reader has not taken what was written.
    await nextTurn();
    while (doc.readableLength > HIGH_WATER) await new Promise((resolve) => setTimeout(resolve, 2));
  }

  function officerSection(o: ReportOfficer): void {
    if (doc.y > doc.page.height - MARGIN - 160) doc.addPage();
    doc.moveDown(0.8);
    pages.set(`officer:${o.officerId}`, page);
    officersBookmark.addItem(pdfText(`${o.name} (${o.officerId})`));
    doc.addNamedDestination(`officer:${o.officerId}`.replace(/[^A-Za-z0-9_.-]/g, '_'));
    para(`${o.name} (officer ID ${o.officerId})`, { bold: true, size: 13 });
    para(`Status on ${report.asOf}: ${STATUS_WORDS[o.status] ?? o.status} (${o.status})`, { bold: true });
    if (o.restrictedDuties.length > 0) para(`Not required to perform: ${o.restrictedDuties.join('; ')}`, { indent: 14 });
    for (const a of o.assignments) para(`Assignment ${a.assignmentId}: ${a.schools.join('; ')}, from ${a.startDate}${a.endDate ? ` to ${a.endDate}` : ''} (event ${a.eventId})`, { indent: 14, size: 9 });
    for (const t of o.trainings) {
      para(`Training ${t.trainingId}: ${t.course}${t.courseNumber ? ` (POST course ${t.courseNumber})` : ''}, completed ${t.completedOn} (event ${t.eventId})`, { indent: 14, size: 9 });
      for (const c of t.certificates) {
        para(`Certificate on file since ${c.filedOn}: ${c.fileName}, SHA-256 ${c.sha256}; ${c.file ? `in this packet as ${c.file}` : 'its file is kept outside the ledger (only its SHA-256 was recorded)'} (event ${c.eventId})`, { indent: 28, size: 8.5 });
      }
      if (t.certificates.length === 0) para('No certificate filed.', { indent: 28, size: 8.5 });
    }
    for (const r of o.reviews) para(`Reviewed SRO policy ${r.version} on ${r.reviewedOn} (event ${r.eventId})`, { indent: 14, size: 9 });
    doc.moveDown(0.3);
    for (const f of o.findings) {
      para(`${f.rule}: ${OUTCOME_WORDS[f.outcome] ?? f.outcome}${f.dueDate ? `, due ${f.dueDate}` : ''}. ${f.citation}`, { indent: 14, size: 9, bold: f.outcome === 'VIOLATED' || f.outcome === 'PENDING' });
      if (f.outcome !== 'NOT_APPLICABLE') para(f.explanation, { indent: 28, size: 8.5 });
      if (f.evidence.length > 0) para(`Rests on events: ${f.evidence.join(', ')}`, { indent: 28, size: 7.5 });
    }
  }
  return page;
}

function newDocument(report: EvidenceReport, compress = true): PDFKit.PDFDocument {
  const at = new Date(report.knownAt);
  return new PDFDocument({
    size: 'LETTER',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    autoFirstPage: false,
    // The first layout only counts pages: its bytes are thrown away, so they are not compressed.
    compress,
    bufferPages: false,
    info: { Title: `SRO compliance evidence packet: ${report.agencyName}, ${report.asOf}`, Author: report.agencyName, Subject: timesSentence(report), Creator: 'sro-compliance', CreationDate: at, ModDate: at },
    displayTitle: true,
    lang: 'en-US',
  } as PDFKit.PDFDocumentOptions);
}

/** The PDF, streamed: laid out once into nothing (page numbers), then for real. */
export async function reportPdf(report: EvidenceReport, checkpoint: PdfCheckpoint): Promise<Readable> {
  const first = newDocument(report, false);
  const pages = new Map<string, number>();
  const done = new Promise<void>((resolve, reject) => {
    first.pipe(new Writable({ write: (_chunk, _enc, next) => next() })).on('finish', resolve).on('error', reject);
  });
  const layout: Layout = { pages, total: await render(first, report, checkpoint, undefined, pages) };
  first.end();
  await done;
  const doc = newDocument(report);
  void render(doc, report, checkpoint, layout, new Map()).then(
    () => doc.end(),
    (error: Error) => doc.destroy(error),
  );
  return doc;
}
