/**
 * The bulk import path (the CSV import's engine, and what the benchmark measures): many write
 * commands, each of the same shape as an HTTP write, appended in batched transactions.
 *
 * Every command goes through exactly what an HTTP write goes through, minus HTTP:
 * - its body and path parameters are validated with class-validator against the SAME DTO classes
 *   as the routes (plainToInstance + validation with whitelist / forbidNonWhitelisted /
 *   forbidUnknownValues, as the global ValidationPipe), giving the same field messages;
 * - it is decided by the SAME decision as its command handler (the slice's, e.g. RECORD_TRAINING
 *   of src/officers/record-training.ts) against the SAME write models (src/write/write-models.ts),
 *   folded incrementally so that a command sees the commands accepted before it in the import,
 *   and refused with the same refusal (src/write/refusals.ts), reported with its status;
 * - it is written by the SAME engine as an HTTP write (src/write/write-batch.ts: the clock, the
 *   Idempotency-Key, the registration checks, the roster enrolment, the append), as a batch of
 *   many: `batchSize` events per transaction (durability untouched: WAL + synchronous=FULL).
 *
 * Error policy (a report of rejected lines, not all-or-nothing): a command that fails
 * validation or an invariant is rejected, reported with its index (and `line`, when the caller
 * gives one) and its field messages, and appends nothing; the commands after it go on, and a
 * later command that depends on it (a certificate for a training that was rejected) is rejected
 * in turn with its own message. Rationale: an agency's CSV of thousands of rows should not be
 * refused whole for one typo; the report lists exactly the lines to fix, and a fixed file can be
 * re-imported safely when its rows carry idempotency keys (an already imported key is skipped,
 * as an HTTP retry is). A failure of the store itself (a concurrent writer moved a stream: 409;
 * the database is unavailable) aborts the import with ImportAbortedError: the batches committed
 * before it stay committed (the report says up to which command), the batch in flight appends
 * nothing.
 *
 * Why a Nest-free class (decorated @Injectable so that the app module provides it too): it needs
 * only the event store, the CLI's `import` and the benchmark construct it directly, and its tests
 * need no application context. Rows are validated synchronously (import-validation.ts).
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { officerStreamPrefix } from '../../events/streams';
import { AgencyPath } from '../common/paths';
import { isAcceptedDate } from '../common/validation';
import { withoutRepeats } from '../common/dates';
import { EVENT_STORE, EventStore } from '../store/event-store.port';
import type { AgencyDecision, OfficerDecision } from '../write/decision';
import { idempotentEventId } from '../write/new-events';
import { agencyNotRegistered, IdempotencyMismatch, Invalid, Refusal } from '../write/refusals';
import { type BatchCommand, WRITE_CLOCK, WriteBatch, type WriteClock, writeToday } from '../write/write-batch';
import type { WriteSlice } from '../write/write-slice';
import { type Ctor, IMPORT_COMMANDS, ImportAbortedError, type ImportCommand, type ImportOptions, type ImportReport } from './import-types';
import { validated, validatedOrThrow, validatedPath } from './import-validation';

export { IMPORT_COMMANDS, ImportAbortedError, type ImportCommand, type ImportCommandName, type ImportOptions, type ImportReport, type RejectedCommand } from './import-types';

/** How many stream models stay cached between batches (bounded memory for any command order). */
const CACHED_STREAMS = 2_000;

@Injectable()
export class BulkImporter {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Optional() @Inject(WRITE_CLOCK) private readonly clock?: WriteClock,
  ) {}

  async import(commands: Iterable<ImportCommand> | AsyncIterable<ImportCommand>, options: ImportOptions): Promise<ImportReport> {
    const { agencyId, recordedBy } = options;
    const correlationId = options.correlationId ?? randomUUID();
    const batchSize = options.batchSize ?? 2000;
    const maxReported = options.maxReported ?? 1000;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be an integer >= 1');
    validatedOrThrow(AgencyPath, { agencyId });
    if (options.today !== undefined && !isAcceptedDate(options.today)) throw new RangeError('today must be a real calendar date in the form YYYY-MM-DD');
    // Read once when the import starts: an import running past midnight keeps the date it started on.
    const today = options.today ?? writeToday(this.clock);

    const mode = options.mode ?? 'rows';
    const whole = mode !== 'rows';
    const report: ImportReport = { commands: 0, accepted: 0, duplicates: 0, rejectedCount: 0, rejected: [], eventsAppended: 0, transactions: 0 };
    if (whole) {
      report.mode = mode;
      report.committed = false;
      report.atomic = this.store.capabilities.atomicMultiStreamAppend;
      report.recorded = [];
    }
    // The invariants' reads, batched: one listing of the agency's officer streams, so that an
    // officer the store has no stream for (every new officer of a first import) is not read.
    // Streams this import commits join it; a stream another writer creates meanwhile is refused
    // at the append (expected no_stream), as any concurrent change is.
    const storedOfficers = new Set((await this.store.listStreams(officerStreamPrefix(agencyId))).map((head) => head.stream));
    const batch = new WriteBatch(this.store, { agencyId, metadata: { recordedBy, correlationId }, today, storedOfficers, cachedStreams: CACHED_STREAMS });
    // The whole import is refused when its agency is not registered (before any row).
    if ((await batch.agencyModel()).revision < 0) throw agencyNotRegistered(agencyId);
    let firstPendingIndex = 0;
    /** Event ids of keyed commands accepted in this import (a key used twice in one file). */
    const keyedInImport = new Map<string, { index: number; line?: number }>();

    const flush = async (nextIndex: number) => {
      const events = batch.pending;
      if (events === 0) return;
      try {
        await batch.commit();
      } catch (error) {
        throw new ImportAbortedError(report, firstPendingIndex, error);
      }
      report.eventsAppended += events;
      report.transactions++;
      firstPendingIndex = nextIndex;
      options.onBatch?.({ commands: report.commands, eventsAppended: report.eventsAppended, transactions: report.transactions });
    };

    let index = -1;
    for await (const command of commands) {
      index++;
      report.commands++;
      try {
        const prepared = batchCommand(command, agencyId);
        const eventId = command.idempotencyKey !== undefined ? idempotentEventId(agencyId, command.idempotencyKey) : undefined;
        const earlier = eventId === undefined ? undefined : keyedInImport.get(eventId);
        if (earlier !== undefined) {
          // In words for the clerk who reads the report (docs/decisions.md W36): which row it repeats, by line when known.
          const where = earlier.line !== undefined ? `line ${earlier.line}` : `record ${earlier.index + 1}`;
          throw new IdempotencyMismatch([`This repeats ${where} of this import (the same Idempotency-Key "${command.idempotencyKey}"): each record is recorded once, so leave one of the two out`]);
        }
        const outcome = await batch.add(prepared);
        if (outcome.kind === 'duplicate') {
          report.duplicates++;
          continue;
        }
        // A key looked up and new is this import's from now on, whatever the records say of its row.
        if (eventId !== undefined && (outcome.kind === 'accepted' || outcome.keyUnused)) keyedInImport.set(eventId, { index, line: command.line });
        if (outcome.kind === 'refused') throw outcome.refusal;
        if (report.recorded && report.recorded.length < maxReported) {
          report.recorded.push({ index, ...(command.line !== undefined ? { line: command.line } : {}), command: String(command.command), type: outcome.event.type, stream: outcome.stream, data: outcome.event.data });
        }
        report.accepted++;
      } catch (error) {
        if (!(error instanceof Refusal)) throw error; // not a refusal of the command: a bug or a store failure
        report.rejectedCount++;
        if (report.rejected.length < maxReported) {
          report.rejected.push({
            index,
            ...(command?.line !== undefined ? { line: command.line } : {}),
            command: String(command?.command),
            statusCode: error.status,
            messages: error.messages,
          });
        }
        continue;
      }
      if (!whole && batch.pending >= batchSize) await flush(index + 1);
    }
    if (mode === 'dry-run' || (mode === 'all-or-nothing' && report.rejectedCount > 0)) return report;
    await flush(index + 1);
    if (whole) report.committed = true;
    return report;
  }
}

/**
 * One row as the engine's command: its name looked up in the list of writes, its body and path
 * validated as the route's (the row's date problems reported beside the DTO's messages), the
 * path's fields given to the decision as the route's handler gives them.
 */
function batchCommand(command: ImportCommand, agencyId: string): BatchCommand {
  if (typeof command !== 'object' || command === null) throw new Invalid(['command must be an object']);
  // Every command an import takes has a route, and so its body's DTO (src/write-slices.ts).
  const spec = (IMPORT_COMMANDS as Record<string, WriteSlice & { dto: Ctor }>)[command.command];
  if (!spec || !Object.prototype.hasOwnProperty.call(IMPORT_COMMANDS, command.command)) {
    throw new Invalid([`command must be one of ${Object.keys(IMPORT_COMMANDS).join(', ')}`]);
  }
  if (command.problems?.length) {
    let others: string[] = [];
    try {
      validated(spec.dto, command.body, 'body');
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      others = error.messages;
    }
    throw new Invalid(withoutRepeats(command.problems, others));
  }
  const body = validated(spec.dto, command.body, 'body') as Record<string, unknown>;
  const key = command.idempotencyKey !== undefined ? { idempotencyKey: command.idempotencyKey } : {};
  const input = { ...body };
  if (spec.scope === 'agency') {
    if (spec.path && spec.pathFields) {
      const path: Record<string, unknown> = { agencyId };
      for (const field of spec.pathFields) path[field] = command[field];
      validatedPath(spec.path, path);
      for (const field of spec.pathFields) input[field] = command[field];
    }
    return { scope: 'agency', decision: spec.decision as AgencyDecision<never>, input, ...key };
  }
  const path: Record<string, unknown> = { agencyId };
  for (const field of spec.pathFields) path[field] = command[field];
  if (spec.path) validatedPath(spec.path, path);
  const officerId = (spec.pathFields.length > 0 ? command.officerId : body.officerId) as string;
  if (spec.pathFields.includes('assignmentId')) input.assignmentId = command.assignmentId;
  if (spec.pathFields.includes('trainingId')) input.trainingId = command.trainingId;
  return { scope: 'officer', decision: spec.decision as OfficerDecision<never>, officerId, input, ...key };
}
