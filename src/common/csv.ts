/**
 * CSV answers (decisions W5, W26): csv-stringify with RFC 4180 quoting and `escape_formulas`
 * (a leading `=`, `+`, `-`, `@`, tab or carriage return gets a `'`, so a spreadsheet shows the
 * text instead of running it), and the same quote before what a spreadsheet may trim or fold
 * into one of those: a leading space, no-break space, zero-width character or byte-order mark,
 * and the full-width `＝＋－＠`. And the negotiation: `?format=csv` (a browser link) or an Accept
 * header whose best media type is text/csv, whatever its parameters (`text/csv; charset=utf-8`).
 */
import { IsIn, IsOptional } from 'class-validator';
import { stringify } from 'csv-stringify/sync';
import type { Request } from 'express';

/** Leading characters csv-stringify's escape_formulas does not cover but a spreadsheet may trim or normalise into a formula. */
const TRIMMED_OR_FOLDED = /^[\u0020\u00a0\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff\uff1d\uff0b\uff0d\uff20]/;

const neutral = (value: string): string => (TRIMMED_OR_FOLDED.test(value) ? `'${value}` : value);

/** A header and rows as CSV: CRLF after every record, every cell a string. */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | boolean | null | undefined)[])[]): string {
  const records = [header, ...rows].map((row) => row.map((cell) => neutral(cell === null || cell === undefined ? '' : String(cell))));
  return stringify(records, { escape_formulas: true, record_delimiter: '\r\n', quoted_match: /\r|\n/ });
}

/** One cell, quoted and neutralised as in toCsv. */
export function csvCell(value: string): string {
  return toCsv([value], []).replace(/\r\n$/, '');
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
