/**
 * The console's CSV import (docs/decisions.md W21): a file in the product's own format (a `command`
 * column and the routes' field names, src/import/csv-commands.ts), or another system's export (a
 * training provider's roster: "Officer ID", "Course", "Date Completed") whose columns, and course
 * values, are mapped to one kind of import. Either way the rows become the bulk import's commands,
 * each with an idempotency key derived from its content when it has none, so a re-run of the same
 * file records nothing twice (also on EventStoreDB, where a file is not one transaction).
 */
import { parse } from 'csv-parse/sync';
import { createHash } from 'node:crypto';
import { COURSES } from '../../events/catalogue';
import { localDateFromText, readDateFields } from '../common/dates';
import { decodeTextFile, delimiterOf, formatInWords, NotTextError } from '../common/text-file';
import type { ImportCommand } from '../import/bulk-import';
import { checkColumns, commandFromRecord, CsvFormatError } from '../import/csv-commands';

export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 20_000;

export interface CsvTable {
  headers: string[];
  rows: { line: number; record: Record<string, string> }[];
}

/**
 * An uploaded file's bytes as text: UTF-8 (with or without a byte-order mark), UTF-16 by its
 * byte-order mark, otherwise Windows-1252 (src/common/text-file.ts), and how it was read, in
 * words for the page. A file that is not text is a CsvFormatError with the sentence to show.
 */
export function decodeCsvUpload(bytes: Buffer): { text: string; readAs: string } {
  try {
    const { text, format } = decodeTextFile(bytes);
    return { text, readAs: formatInWords(format) };
  } catch (error) {
    if (error instanceof NotTextError) throw new CsvFormatError(error.message);
    throw error;
  }
}

/** A CSV's text as a table; its delimiter (comma or tab) is the header line's (src/common/text-file.ts). */
export function parseCsvText(text: string): CsvTable {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  let headers: string[] = [];
  const newline = text.indexOf('\n');
  try {
    records = parse(text, {
      delimiter: delimiterOf(newline < 0 ? text : text.slice(0, newline)),
      bom: true,
      skip_empty_lines: true,
      info: true,
      relax_column_count: false,
      columns: (header: string[]) => (headers = checkColumns(header.map((h) => h.trim()))),
    });
  } catch (error) {
    if (error instanceof CsvFormatError) throw error;
    throw new CsvFormatError(`the file is not a CSV this page can read: ${(error as Error).message.split('\n')[0].slice(0, 200)}`);
  }
  if (headers.length === 0) throw new CsvFormatError('the file is empty: the first line must name the columns');
  if (records.length > MAX_IMPORT_ROWS) throw new CsvFormatError(`the file has ${records.length} rows; import at most ${MAX_IMPORT_ROWS} at a time`);
  return { headers, rows: records.map((r) => ({ line: r.info.lines, record: r.record })) };
}

export const isProductFormat = (table: CsvTable): boolean => table.headers.includes('command');

export interface KindField {
  name: string;
  label: string;
  optional?: boolean;
  /** A date: YYYY-MM-DD or M/D/YYYY in the file (src/common/dates.ts). */
  date?: boolean;
  /** Header names other systems use for it (case and spacing ignored), to guess the mapping. */
  aliases: string[];
}

export interface ImportKind {
  id: 'trainings' | 'substitute-days' | 'assignments';
  title: string;
  command: 'RecordTraining' | 'RecordSubstituteDay' | 'AssignOfficer';
  fields: KindField[];
}

export const IMPORT_KINDS: ImportKind[] = [
  {
    id: 'trainings',
    title: 'Completed trainings (a provider’s roster)',
    command: 'RecordTraining',
    fields: [
      { name: 'officerId', label: 'Officer ID', aliases: ['officer id', 'officerid', 'badge', 'badge number', 'employee id', 'id'] },
      { name: 'course', label: 'Course', aliases: ['course', 'course code', 'course name', 'training', 'class'] },
      { name: 'completedOn', label: 'Date completed', date: true, aliases: ['completedon', 'date completed', 'completion date', 'completed', 'date'] },
      { name: 'trainingId', label: 'Training ID', optional: true, aliases: ['trainingid', 'training id', 'record id', 'certificate number'] },
      { name: 'provider', label: 'Provider', optional: true, aliases: ['provider', 'vendor', 'instructor', 'academy'] },
      { name: 'courseNumber', label: 'POST course number', optional: true, aliases: ['coursenumber', 'course number', 'post course number', 'approval number'] },
    ],
  },
  {
    id: 'substitute-days',
    title: 'Substitute days',
    command: 'RecordSubstituteDay',
    fields: [
      { name: 'officerId', label: 'Officer ID', aliases: ['officer id', 'officerid', 'badge', 'badge number', 'employee id', 'id'] },
      { name: 'date', label: 'Date served', date: true, aliases: ['date', 'date served', 'day', 'shift date'] },
      { name: 'school', label: 'School', aliases: ['school', 'site', 'location', 'building'] },
    ],
  },
  {
    id: 'assignments',
    title: 'Assignments',
    command: 'AssignOfficer',
    fields: [
      { name: 'officerId', label: 'Officer ID', aliases: ['officer id', 'officerid', 'badge', 'badge number', 'employee id', 'id'] },
      { name: 'assignmentId', label: 'Assignment ID', aliases: ['assignmentid', 'assignment id', 'assignment'] },
      { name: 'schools', label: 'Schools (separated by ;)', aliases: ['schools', 'school', 'sites', 'buildings'] },
      { name: 'startDate', label: 'First day of duty', date: true, aliases: ['startdate', 'start date', 'start', 'first day', 'effective date'] },
    ],
  },
];

export const importKind = (id: unknown): ImportKind | undefined => IMPORT_KINDS.find((k) => k.id === id);

const norm = (s: string): string => s.trim().toLowerCase().replace(/[\s_-]+/g, ' ');

/** The mapping guessed from the headers (a saved one wins, where its columns are in this file). */
export function guessColumns(kind: ImportKind, headers: string[], saved?: Record<string, string>): Record<string, string> {
  const columns: Record<string, string> = {};
  for (const field of kind.fields) {
    if (saved?.[field.name] && headers.includes(saved[field.name])) {
      columns[field.name] = saved[field.name];
      continue;
    }
    const found = headers.find((h) => norm(h) === norm(field.name) || field.aliases.includes(norm(h)));
    if (found) columns[field.name] = found;
  }
  return columns;
}

/** Course values of the file as they would be read: a course code as it is, others to be mapped. */
export function guessCourse(value: string): string | undefined {
  const v = value.trim().toUpperCase().replace(/[\s-]+/g, '_');
  if ((COURSES as readonly string[]).includes(v)) return v;
  const words = value.toLowerCase();
  if (/refresher/.test(words)) return 'MN_SRO_REFRESHER';
  if (/supplement/.test(words)) return 'MN_SRO_SUPPLEMENTAL';
  if (/nasro/.test(words)) return 'NASRO_BASIC';
  if (/school safety|\bssc\b/.test(words)) return 'SSC_BASIC';
  if (/basic/.test(words) && /(mn|minnesota|post|sro)/.test(words)) return 'MN_SRO_BASIC';
  return undefined;
}

/** The distinct values of the course column, in file order (for the value mapping). */
export function courseValues(table: CsvTable, column: string | undefined): string[] {
  if (!column) return [];
  return [...new Set(table.rows.map((r) => (r.record[column] ?? '').trim()).filter(Boolean))].slice(0, 100);
}

const id = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);

/** The rows of another system's export as import commands, by the mapping. */
export function mappedCommands(kind: ImportKind, table: CsvTable, columns: Record<string, string>, courses: Record<string, string>): ImportCommand[] {
  const dateFields = kind.fields.filter((f) => f.date).map((f) => f.name);
  return table.rows.map(({ line, record }) => {
    const command = mappedCommand(kind, line, record, columns, courses);
    // Dates as people type them: YYYY-MM-DD or M/D/YYYY (src/common/dates.ts).
    const problems = readDateFields(command.body as Record<string, unknown>, dateFields);
    return problems.length ? { ...command, problems } : command;
  });
}

function mappedCommand(kind: ImportKind, line: number, record: Record<string, string>, columns: Record<string, string>, courses: Record<string, string>): ImportCommand {
  const cell = (field: string) => (columns[field] ? (record[columns[field]] ?? '').trim() : '');
  const officerId = cell('officerId');
  if (kind.command === 'RecordTraining') {
    const raw = cell('course');
    const course = courses[raw] ?? guessCourse(raw) ?? raw;
    // The training ID made from the date is the same whichever form the date was written in.
    const completedOn = localDateFromText(cell('completedOn')) ?? cell('completedOn');
    const trainingId = cell('trainingId') || id(`${course.toLowerCase()}-${completedOn}`);
    const body: Record<string, unknown> = { trainingId, course, completedOn };
    if (cell('provider')) body.provider = cell('provider');
    if (cell('courseNumber')) body.courseNumber = cell('courseNumber');
    return { command: 'RecordTraining', officerId, body, line };
  }
  if (kind.command === 'RecordSubstituteDay') return { command: 'RecordSubstituteDay', officerId, body: { date: cell('date'), school: cell('school') }, line };
  return {
    command: 'AssignOfficer',
    officerId,
    body: { assignmentId: cell('assignmentId'), schools: cell('schools').split(';').map((s) => s.trim()).filter(Boolean), startDate: cell('startDate') },
    line,
  };
}

/** The rows of a file in the product's format as import commands. */
export const productCommands = (table: CsvTable): ImportCommand[] => table.rows.map(({ line, record }) => commandFromRecord(record, line));

/**
 * An idempotency key for every command that has none, from its content: the same row imported
 * again is recognised and skipped (decisions W20).
 */
export function withContentKeys(commands: ImportCommand[]): ImportCommand[] {
  return commands.map((c) => {
    if (c.idempotencyKey) return c;
    const content = JSON.stringify([c.command, c.officerId ?? '', c.assignmentId ?? '', c.trainingId ?? '', c.contractId ?? '', c.body]);
    return { ...c, idempotencyKey: `csv-${createHash('sha256').update(content).digest('hex').slice(0, 40)}` };
  });
}

/** Templates in the product's own format (headers and one example row), by kind. */
export const TEMPLATES: Record<ImportKind['id'], string> = {
  trainings: 'command,officerId,trainingId,course,completedOn,provider,courseNumber\r\nRecordTraining,jdoe,basic-2025,MN_SRO_BASIC,2025-08-20,Approved provider,\r\n',
  'substitute-days': 'command,officerId,date,school\r\nRecordSubstituteDay,jdoe,2025-10-06,Central High School\r\n',
  assignments: 'command,officerId,assignmentId,schools,startDate\r\nAssignOfficer,jdoe,hs-2025,Central High School;North Middle School,2025-09-02\r\n',
};
