/**
 * CSV answers (decisions W5, W26, W34): RFC 4180 quoting (csv-stringify), CRLF records, and a
 * UTF-8 byte-order mark first, so that Excel on Windows reads "Åsa Ödegård" and "Seán" as written
 * (without it, Excel takes the bytes for Windows-1252). Every CSV the product gives (the API with
 * Accept: text/csv or ?format=csv, the console's downloads and templates, the CLI's --csv) goes
 * through toCsv, or starts with CSV_BOM.
 *
 * A cell a spreadsheet could run as a formula gets a leading `'`, so that it shows the text: one
 * beginning with `=`, `+`, `-`, `@`, tab or carriage return; with what a spreadsheet may trim
 * before it (a space, no-break space, zero-width character, byte-order mark); or with a
 * look-alike a spreadsheet may fold into one of those: every character whose compatibility form
 * (NFKC) begins with one of = + - @ or the minus sign U+2212 (the full-width `＝＋－＠`, the small
 * `﹦﹢﹣﹫`, the super- and subscript `⁼⁺⁻₌₊₋`), the minus sign `−` itself, and the dashes and
 * heavy signs a spreadsheet may read as a minus or plus (U+2010-U+2015, U+2796, U+2795, U+02D6,
 * U+02D7). A plain number (`-76`, `3.5`) is never a formula and is left as it is, so that an
 * overdue daysLeft stays a number a spreadsheet sorts.
 * And the negotiation: `?format=csv` (a browser link) or an Accept header whose best media type
 * is text/csv, whatever its parameters (`text/csv; charset=utf-8`).
 */
import { IsIn, IsOptional } from 'class-validator';
import { stringify } from 'csv-stringify/sync';
import type { Request } from 'express';

/** The UTF-8 byte-order mark every CSV download starts with. */
export const CSV_BOM = '\ufeff';

/** Leading characters a spreadsheet may run, trim or fold into a formula's first character (besides NFKC look-alikes). */
const GUARDED_FIRST = /^[=+\-@\t\r\u0020\u00a0\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff\u2010-\u2015\u2212\u2795\u2796\u02d6\u02d7]/u;
const FORMULA_START = /^[=+\-@\u2212\u2010]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** True when a spreadsheet could take the cell for a formula (see above). */
export function needsFormulaGuard(value: string): boolean {
  if (value === '' || PLAIN_NUMBER.test(value)) return false;
  if (GUARDED_FIRST.test(value)) return true;
  const first = String.fromCodePoint(value.codePointAt(0)!);
  return FORMULA_START.test(first.normalize('NFKC'));
}

const neutral = (value: string): string => (needsFormulaGuard(value) ? `'${value}` : value);

function records(rows: readonly (readonly (string | number | boolean | null | undefined)[])[]): string {
  const cells = rows.map((row) => row.map((cell) => neutral(cell === null || cell === undefined ? '' : String(cell))));
  return stringify(cells, { record_delimiter: '\r\n', quoted_match: /\r|\n/ });
}

/** A header and rows as a CSV document: the byte-order mark, then CRLF after every record, every cell a string. */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | boolean | null | undefined)[])[]): string {
  return CSV_BOM + records([header, ...rows]);
}

/** One cell, quoted and neutralised as in toCsv (no byte-order mark). */
export function csvCell(value: string): string {
  return records([[value]]).replace(/\r\n$/, '');
}

/** The `format` query parameter of the routes that answer CSV too. */
export class CsvFormatDto {
  /** `csv`: the CSV download, as `Accept: text/csv` (for a browser link); `json` the JSON, whatever Accept says. */
  @IsOptional() @IsIn(['json', 'csv'], { message: 'format must be json or csv' }) format?: 'json' | 'csv';
}

interface Range {
  type: string;
  subtype: string;
  q: number;
}

function ranges(accept: string): Range[] {
  return accept
    .split(',')
    .map((part) => {
      const [media, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
      const [type, subtype] = media.split('/');
      const qParam = params.find((p) => p.startsWith('q='));
      const q = qParam ? Number(qParam.slice(2)) : 1;
      return { type, subtype, q: Number.isFinite(q) ? q : 0 };
    })
    .filter((r) => r.type && r.subtype);
}

/** How well an Accept header takes a media type: its q and how specific the range that matched is (2 exact, 1 type/*, 0 *\/*). */
function match(all: Range[], type: string, subtype: string): { q: number; specificity: number } {
  let best = { q: -1, specificity: -1 };
  for (const r of all) {
    const specificity = r.type === type && r.subtype === subtype ? 2 : r.type === type && r.subtype === '*' ? 1 : r.type === '*' && r.subtype === '*' ? 0 : -1;
    if (specificity > best.specificity) best = { q: r.q, specificity };
  }
  return best;
}

/** True when the answer should be CSV: `?format=csv`, or an Accept header preferring text/csv (by media type, any parameters) to JSON. */
export function wantsCsv(request: Pick<Request, 'headers' | 'query'>): boolean {
  const format = request.query?.format;
  if (format === 'csv') return true;
  if (format === 'json') return false;
  const accept = request.headers.accept;
  if (!accept) return false;
  const all = ranges(accept);
  const csv = match(all, 'text', 'csv');
  const json = match(all, 'application', 'json');
  if (csv.q <= 0) return false;
  if (json.q <= 0) return true;
  return csv.q > json.q || (csv.q === json.q && csv.specificity > json.specificity);
}
