/**
 * What an import takes and answers (bulk-import.ts): its commands, the write routes by name as the
 * one list of writes gives them (src/write-slices.ts; docs/decisions.md W41), its options, its
 * report, and the error of an import the store stopped.
 */
import type { LocalDate } from '../../events/catalogue';
import { isRouted, type RoutedWriteSlice, WRITE_SLICES } from '../write-slices';

export type Ctor = new () => object;

/**
 * The write commands an import may carry: the HTTP write routes, by name, as the one list of
 * writes gives them (src/write-slices.ts; docs/decisions.md W41).
 */
export const IMPORT_COMMANDS = Object.fromEntries(WRITE_SLICES.filter(isRouted).map((slice) => [slice.name, slice])) as {
  readonly [S in RoutedWriteSlice as S['name']]: S;
};

export type ImportCommandName = RoutedWriteSlice['name'];

/**
 * One command: the route's name, its path parameters (besides agencyId, which is the import's),
 * its JSON body, and optionally an Idempotency-Key and the source line for the report.
 */
export interface ImportCommand {
  command: ImportCommandName;
  officerId?: string;
  assignmentId?: string;
  trainingId?: string;
  contractId?: string;
  body: unknown;
  idempotencyKey?: string;
  line?: number;
  /**
   * What was wrong with the row's text before it became a body (a date that is neither YYYY-MM-DD
   * nor M/D/YYYY: src/common/dates.ts), each message beginning with its field: the command is
   * refused with them (400), beside the DTO's messages of its other fields.
   */
  problems?: string[];
}

export interface RejectedCommand {
  /** 0-based position of the command in the import. */
  index: number;
  line?: number;
  command: string;
  /** The HTTP status the same request would have got (400, 404, 409, 422). */
  statusCode: number;
  messages: string[];
}

export interface ImportReport {
  /** `dry-run`: checked, nothing recorded; `all-or-nothing`: recorded only when no command was rejected; `rows`: each good command recorded. */
  mode?: 'rows' | 'dry-run' | 'all-or-nothing';
  /** all-or-nothing and dry-run: whether the file was (would be) recorded. */
  committed?: boolean;
  /** Where the store cannot append many streams in one transaction (EventStoreDB), all-or-nothing is not one transaction. */
  atomic?: boolean;
  /** dry-run and all-or-nothing: what is (would be) recorded, one line per accepted command (the first `maxReported`). */
  recorded?: { index: number; line?: number; command: string; type: string; stream: string; data: unknown }[];
  commands: number;
  accepted: number;
  /** Commands whose Idempotency-Key was already imported with the same content: skipped, as an HTTP retry. */
  duplicates: number;
  rejectedCount: number;
  /** The first `maxReported` rejections. */
  rejected: RejectedCommand[];
  eventsAppended: number;
  transactions: number;
}

export interface ImportOptions {
  agencyId: string;
  /** Recorded as the events' recordedBy (a token name, or `cli:<user>`). */
  recordedBy: string;
  /** One correlation id for the whole import (default: a new UUID). */
  correlationId?: string;
  /** Events per transaction (default 2000). */
  batchSize?: number;
  /** How many rejections the report lists in full (default 1000; all are counted). */
  maxReported?: number;
  /**
   * Today in Minnesota for the invariants (a fact dated after it is refused, as on the routes).
   * Default: computed once from the clock when the import starts, so an import running past
   * midnight keeps the date it started on (it can only refuse more, never accept a future fact).
   * Callers that replay a simulated world (the benchmark's 2024-2030 data) set it.
   */
  today?: LocalDate;
  /** Called after each committed transaction. */
  onBatch?: (progress: { commands: number; eventsAppended: number; transactions: number }) => void;
  /**
   * `rows` (default): every good command is recorded in batched transactions, bad ones reported.
   * `dry-run`: every command is checked exactly as the write would check it, in order, and nothing
   * is appended. `all-or-nothing`: as the dry run, then, only if no command was rejected, the whole
   * file is appended in ONE appendMany (one transaction where the store can, `atomic`).
   */
  mode?: 'rows' | 'dry-run' | 'all-or-nothing';
}

export class ImportAbortedError extends Error {
  constructor(
    readonly report: ImportReport,
    /** Commands before this index are committed (or rejected); from it on, nothing was appended. */
    readonly committedBefore: number,
    override readonly cause: unknown,
  ) {
    super(`import aborted by the store after ${report.eventsAppended} events (commands before #${committedBefore} are committed): ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'ImportAbortedError';
  }
}
