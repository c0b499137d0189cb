/**
 * Reads an import CSV into write commands for the bulk import (bulk-import.ts), streaming: a file
 * of any size is parsed row by row. One row is one write, as the HTTP route would take it:
 *
 *   command,officerId,name,assignmentId,schools,startDate,trainingId,course,completedOn,...
 *   RegisterOfficer,jdoe,Jordan Doe,,,,,,
 *   AssignOfficer,jdoe,,hs-2025,Central High;North Middle,2025-09-02,,,
 *   RecordTraining,jdoe,,,,,basic-1,MN_SRO_BASIC,2025-08-20
 *
 * - `command` names the write (IMPORT_COMMANDS: RegisterOfficer, AssignOfficer, EndAssignment,
 *   DeclareTrainingUnavailable, RecordSubstituteDay, RecordTraining, FileCertificate,
 *   RecordPolicyReview, RetractOfficerEvent, CorrectOfficerDetails, SeparateOfficer, AdoptPolicy,
 *   RetractAgencyEvent, RecordContract, AmendContract, EndContract).
 * - The other columns are the route's path parameters and body fields, by name; an empty cell is
 *   an absent field. `schools` lists schools separated by `;`; a contract's clauses are the
 *   columns `clauses.<clause>` (`clauses.attire`, ...). A column the command does not take,
 *   if filled, is refused like an unknown JSON field ("property X should not exist").
 * - An optional `idempotencyKey` column makes re-importing a corrected file safe: rows already
 *   imported are skipped, as an HTTP retry with the same Idempotency-Key is.
 * - Dates may be written YYYY-MM-DD or M/D/YYYY (src/common/dates.ts); a date field's text that is
 *   neither is the row's problem, refused with a message naming both forms.
 * - The file may be saved in any of Excel's text formats: its encoding (UTF-8, UTF-16 by its
 *   byte-order mark, else Windows-1252) and its delimiter (comma or tab) are found from the file,
 *   and a file that is not text is refused whole before any row (src/common/text-file.ts).
 * Lines are numbered as in the file (the header is line 1) for the import report.
 */
import { parse } from 'csv-parse';
import { localDateFields, readDateFields } from '../common/dates';
import { FORBIDDEN_KEYS } from '../common/forbidden-keys';
import { NotTextError, textFileFormat, textFileStream, type TextFormat } from '../common/text-file';
import type { PathField } from '../write/write-slice';
import { WRITE_SLICES } from '../write-slices';
import { IMPORT_COMMANDS, ImportCommand, ImportCommandName } from './bulk-import';

export class CsvFormatError extends Error {
  constructor(
    message: string,
    /** The file is not text (src/common/text-file.ts): its message is the whole sentence for the person. */
    readonly notText = false,
  ) {
    super(message);
  }
}

const META_COLUMNS = new Set(['command', 'idempotencyKey']);
/** The path parameters any write's route names besides the agency, from the one list of writes (src/write-slices.ts). */
const PATH_COLUMNS: readonly PathField[] = [...new Set(WRITE_SLICES.flatMap((slice) => slice.pathFields))];

/** One CSV record (column → cell) to a command; unknown command names are left for the importer to reject. */
export function commandFromRecord(record: Record<string, string>, line: number): ImportCommand {
  const name = (record.command ?? '').trim() as ImportCommandName;
  const spec = Object.prototype.hasOwnProperty.call(IMPORT_COMMANDS, name) ? (IMPORT_COMMANDS[name] as { scope: string; dto: Function; pathFields?: readonly string[] }) : undefined;
  const pathFields = new Set<string>(spec?.pathFields ?? []);
  const command: ImportCommand = { command: name, body: {}, line };
  const body: Record<string, unknown> = {};
  for (const [column, raw] of Object.entries(record)) {
    const cell = raw.trim();
    if (cell === '' || META_COLUMNS.has(column)) continue;
    if ((PATH_COLUMNS as readonly string[]).includes(column) && pathFields.has(column)) {
      command[column as PathField] = cell;
    } else if (column.startsWith('clauses.')) {
      // A contract clause: `clauses.attire` and the like (an empty cell is absent, as ever).
      const clauses = (body.clauses ??= {}) as Record<string, unknown>;
      clauses[column.slice('clauses.'.length)] = cell;
    } else {
      body[column] = column === 'schools' ? cell.split(';').map((school) => school.trim()).filter(Boolean) : cell;
    }
  }
  // Dates as people type them: YYYY-MM-DD or M/D/YYYY (src/common/dates.ts); the DTO's date fields are the command's.
  const problems = spec ? readDateFields(body, localDateFields(spec.dto)) : [];
  if (problems.length) command.problems = problems;
  command.body = body;
  const key = record.idempotencyKey?.trim();
  if (key) command.idempotencyKey = key;
  return command;
}

/**
 * How a CSV file is to be read (its encoding and delimiter: src/common/text-file.ts), checked to
 * its last byte; a file that is not text is a CsvFormatError whose message is the sentence to show.
 */
export async function csvFileFormat(file: string): Promise<TextFormat> {
  try {
    return await textFileFormat(file);
  } catch (error) {
    if (error instanceof NotTextError) throw new CsvFormatError(error.message, true);
    throw error;
  }
}

/** The commands of a CSV file, in file order, read as `format` says (default: as csvFileFormat finds it). */
export async function* readCsvCommands(file: string, format?: TextFormat): AsyncGenerator<ImportCommand> {
  const read = format ?? (await csvFileFormat(file));
  const parser = textFileStream(file, read).pipe(
    parse({ columns: (header: string[]) => checkHeader(header.map((h) => h.trim())), delimiter: read.delimiter, bom: true, skip_empty_lines: true, info: true }),
  );
  // With `info`, each record comes with the line it ends on (the header is line 1).
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    yield commandFromRecord(record, info.lines);
  }
}

function checkHeader(header: string[]): string[] {
  if (!header.includes('command')) throw new CsvFormatError('the first line must be a header with a "command" column (and the field names as columns)');
  return checkColumns(header);
}

/** The column names of any import file (this format, or another system's for the console's mapping): none forbidden, none twice. */
export function checkColumns(header: string[]): string[] {
  // A __proto__ / constructor / prototype column would be dropped in silence on the way to the DTO (decisions W13).
  const forbidden = header.find((h) => FORBIDDEN_KEYS.has(h) || (h.startsWith('clauses.') && FORBIDDEN_KEYS.has(h.slice('clauses.'.length))));
  if (forbidden) throw new CsvFormatError(`the header names column "${forbidden}", which no command takes`);
  const duplicate = header.find((h, i) => header.indexOf(h) !== i);
  if (duplicate) throw new CsvFormatError(`the header names column "${duplicate}" twice`);
  return header;
}
