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
 * - its event, its roster enrolment and its Idempotency-Key replay are built by the same helpers
 *   as LedgerWriter's (src/write/new-events.ts); the store validates, chains and hashes the events
 *   and appends them with `appendMany`, `batchSize` events per transaction (durability
 *   untouched: WAL + synchronous=FULL).
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
 * need no application context. Validation is synchronous (validateSync): the DTOs have no async
 * constraints, and a million awaited validations would cost more than the inserts.
 */
import { Inject, Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { randomUUID } from 'node:crypto';
import type { DomainEvent, LocalDate } from '../../events/catalogue';
import type { NewEvent } from '../../events/envelope';
import { agencyStream, officerStream, officerStreamPrefix } from '../../events/streams';
import { AgencyPath } from '../common/paths';
import { isAcceptedDate, VALIDATION, validationMessages } from '../common/validation';
import { withoutRepeats } from '../common/dates';
import { AppendRequest, EVENT_STORE, EventStore, ExpectedRevision } from '../store/event-store.port';
import type { AgencyDecision, OfficerDecision } from '../write/decision';
import type { WriteSlice } from '../write/write-slice';
import { isRouted, type RoutedWriteSlice, WRITE_SLICES } from '../write-slices';
import { todayInMinnesota } from '../write/ledger-writer';
import { idempotentEventId, newEvent, newEventId, replay, rosterEnrolment } from '../write/new-events';
import { agencyNotRegistered, IdempotencyMismatch, Invalid, officerNotRegistered, Refusal } from '../write/refusals';
import { AgencyModel, applyToAgency, applyToOfficer, foldAgency, foldOfficer, OfficerModel } from '../write/write-models';

type Ctor = new () => object;

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

function validated<T extends object>(cls: new () => T, plain: unknown, what: string): T {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) throw new Invalid([`${what} must be a JSON object`]);
  const instance = plainToInstance(cls, plain, { enableImplicitConversion: false });
  const errors = validateSync(instance, VALIDATION);
  if (errors.length > 0) throw new Invalid(validationMessages(errors));
  return instance;
}

/**
 * Path validation, remembered per distinct path: validation is a pure function of the values,
 * and an import repeats one officer's path for each of its rows (about 40 in the benchmark).
 * Bounded: cleared when full. Outcomes are kept both ways (a refusal is rethrown).
 */
const pathOutcomes = new Map<string, Refusal | null>();
const MAX_PATH_OUTCOMES = 10_000;

function validatedPath(cls: Ctor, path: Record<string, unknown>): void {
  const values = Object.values(path);
  // Only plain strings are remembered (the key must identify the input exactly).
  const key = values.every((v) => typeof v === 'string') ? `${cls.name}${JSON.stringify(path)}` : undefined;
  const known = key === undefined ? undefined : pathOutcomes.get(key);
  if (known === null) return;
  if (known) throw known;
  try {
    validated(cls, path, 'path');
    if (key !== undefined) remember(key, null);
  } catch (error) {
    if (key !== undefined && error instanceof Refusal) remember(key, error);
    throw error;
  }
}

function remember(key: string, outcome: Refusal | null): void {
  if (pathOutcomes.size >= MAX_PATH_OUTCOMES) pathOutcomes.clear();
  pathOutcomes.set(key, outcome);
}

interface StreamState<M> {
  stream: string;
  model: M;
  /** Revision of the stream in the store before the pending (unflushed) events of this batch. */
  committedRevision: number;
  pending: NewEvent[];
}

/** How many stream models stay cached between batches (bounded memory for any command order). */
const CACHED_STREAMS = 2_000;

@Injectable()
export class BulkImporter {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async import(commands: Iterable<ImportCommand> | AsyncIterable<ImportCommand>, options: ImportOptions): Promise<ImportReport> {
    const { agencyId, recordedBy } = options;
    const correlationId = options.correlationId ?? randomUUID();
    const batchSize = options.batchSize ?? 2000;
    const maxReported = options.maxReported ?? 1000;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be an integer >= 1');
    validatedOrThrow(AgencyPath, { agencyId });
    if (options.today !== undefined && !isAcceptedDate(options.today)) throw new RangeError('today must be a real calendar date in the form YYYY-MM-DD');
    const today = options.today ?? todayInMinnesota(new Date());

    const mode = options.mode ?? 'rows';
    const whole = mode !== 'rows';
    const report: ImportReport = { commands: 0, accepted: 0, duplicates: 0, rejectedCount: 0, rejected: [], eventsAppended: 0, transactions: 0 };
    if (whole) {
      report.mode = mode;
      report.committed = false;
      report.atomic = this.store.capabilities.atomicMultiStreamAppend;
      report.recorded = [];
    }
    const agencyStreamName = agencyStream(agencyId);
    const agencyEvents = await this.store.readStream(agencyStreamName);
    if (agencyEvents.length === 0) throw agencyNotRegistered(agencyId);
    const agency: StreamState<AgencyModel> = { stream: agencyStreamName, model: foldAgency(agencyEvents), committedRevision: agencyEvents[agencyEvents.length - 1].revision, pending: [] };

    // The invariants' reads, batched: one listing of the agency's officer streams, so that an
    // officer the store has no stream for (every new officer of a first import) is not read.
    // Streams this import commits join it; a stream another writer creates meanwhile is refused
    // at the append (expected no_stream), as any concurrent change is.
    const storedOfficers = new Set((await this.store.listStreams(officerStreamPrefix(agencyId))).map((head) => head.stream));
    const officers = new Map<string, StreamState<OfficerModel>>();
    /** Streams with pending events, in the order they first got one in this batch. */
    const dirty = new Set<StreamState<AgencyModel> | StreamState<OfficerModel>>();
    let pendingEvents = 0;
    let firstPendingIndex = 0;
    /** Event ids of keyed commands accepted in this import (a key used twice in one file). */
    const keyedInImport = new Map<string, { index: number; line?: number }>();

    const officerState = async (officerId: string): Promise<StreamState<OfficerModel>> => {
      let state = officers.get(officerId);
      if (state) {
        officers.delete(officerId); // re-insert: the Map's order is least recently used first
        officers.set(officerId, state);
        return state;
      }
      const stream = officerStream(agencyId, officerId);
      const events = storedOfficers.has(stream) ? await this.store.readStream(stream) : [];
      const model = foldOfficer(events);
      state = { stream, model, committedRevision: model.revision, pending: [] };
      officers.set(officerId, state);
      return state;
    };

    const metadata = { recordedBy, correlationId };
    /** The officers registered in this batch, to enrol on the agency roster. */
    let enrolled: string[] = [];
    const flush = async (nextIndex: number) => {
      if (pendingEvents === 0) return;
      const batch: AppendRequest[] = [...dirty].map((s) => ({
        stream: s.stream,
        events: s.pending,
        expectedRevision: (s.committedRevision < 0 ? 'no_stream' : s.committedRevision) as ExpectedRevision,
      }));
      // Registrations enrol their officers on the agency roster in the same transaction (as LedgerWriter does).
      if (enrolled.length > 0) batch.push(rosterEnrolment(agencyId, enrolled, metadata));
      try {
        await this.store.appendMany(batch);
      } catch (error) {
        throw new ImportAbortedError(report, firstPendingIndex, error);
      }
      for (const s of dirty) {
        s.committedRevision = s.model.revision;
        s.pending = [];
        storedOfficers.add(s.stream);
      }
      dirty.clear();
      enrolled = [];
      report.eventsAppended += pendingEvents;
      report.transactions++;
      pendingEvents = 0;
      firstPendingIndex = nextIndex;
      // Evict the least recently used models: they are committed, so they can be read again.
      for (const id of officers.keys()) {
        if (officers.size <= CACHED_STREAMS) break;
        officers.delete(id);
      }
      options.onBatch?.({ commands: report.commands, eventsAppended: report.eventsAppended, transactions: report.transactions });
    };

    let index = -1;
    for await (const command of commands) {
      index++;
      report.commands++;
      try {
        const prepared = await this.prepare(command, agencyId, today, agency, officerState);
        let eventId: string = newEventId();
        if (command.idempotencyKey !== undefined) {
          eventId = idempotentEventId(agencyId, command.idempotencyKey);
          const earlier = keyedInImport.get(eventId);
          if (earlier !== undefined) {
            // In words for the clerk who reads the report (docs/decisions.md W36): which row it repeats, by line when known.
            const where = earlier.line !== undefined ? `line ${earlier.line}` : `record ${earlier.index + 1}`;
            throw new IdempotencyMismatch([`This repeats ${where} of this import (the same Idempotency-Key "${command.idempotencyKey}"): each record is recorded once, so leave one of the two out`]);
          }
          const first = await this.store.readEvent(eventId, { stream: prepared.state.stream });
          if (first) {
            replay(first, prepared.state.stream, prepared.request);
            report.duplicates++;
            continue;
          }
          keyedInImport.set(eventId, { index, line: command.line });
        }
        // The decision runs after the Idempotency-Key lookup, as for an HTTP write.
        const event = prepared.decide();
        if (event instanceof Refusal) throw event;
        prepared.state.pending.push(newEvent(event, metadata, eventId));
        if (report.recorded && report.recorded.length < maxReported) {
          report.recorded.push({ index, ...(command.line !== undefined ? { line: command.line } : {}), command: String(command.command), type: event.type, stream: prepared.state.stream, data: event.data });
        }
        if (prepared.enrols) enrolled.push(prepared.enrols);
        prepared.apply(prepared.state.model.revision + 1, eventId, event);
        dirty.add(prepared.state);
        pendingEvents++;
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
      if (!whole && pendingEvents >= batchSize) await flush(index + 1);
    }
    if (mode === 'dry-run' || (mode === 'all-or-nothing' && report.rejectedCount > 0)) return report;
    await flush(index + 1);
    if (whole) report.committed = true;
    return report;
  }

  /** Validates one command and reads the stream it writes; returns what it describes, its decision and how to fold the event in. */
  private async prepare(
    command: ImportCommand,
    agencyId: string,
    today: LocalDate,
    agency: StreamState<AgencyModel>,
    officerState: (officerId: string) => Promise<StreamState<OfficerModel>>,
  ): Promise<{
    state: StreamState<AgencyModel> | StreamState<OfficerModel>;
    /** The event the command describes (what an Idempotency-Key already used is compared with). */
    request: DomainEvent;
    /** The slice's decision against the write models as folded so far: the event, or the refusal. */
    decide: () => DomainEvent | Refusal;
    /** A registration: the officer to enrol on the agency roster. */
    enrols?: string;
    apply: (revision: number, eventId: string, event: DomainEvent) => void;
  }> {
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
    if (spec.scope === 'agency') {
      const decision = spec.decision as AgencyDecision<unknown>;
      const target = { agencyId, today };
      const input = { ...body };
      if (spec.path && spec.pathFields) {
        const path: Record<string, unknown> = { agencyId };
        for (const field of spec.pathFields) path[field] = command[field];
        validatedPath(spec.path, path);
        for (const field of spec.pathFields) input[field] = command[field];
      }
      return {
        state: agency,
        request: decision.event(input, target),
        decide: () => decision.decide(input, { agency: agency.model }, target),
        apply: (revision, eventId, event) => applyToAgency(agency.model, revision, eventId, event),
      };
    }
    const path: Record<string, unknown> = { agencyId };
    for (const field of spec.pathFields) path[field] = command[field];
    if (spec.path) validatedPath(spec.path, path);
    const decision = spec.decision as OfficerDecision<unknown>;
    const officerId = (spec.pathFields.length > 0 ? command.officerId : body.officerId) as string;
    const input = { ...body };
    if (spec.pathFields.includes('assignmentId')) input.assignmentId = command.assignmentId;
    if (spec.pathFields.includes('trainingId')) input.trainingId = command.trainingId;
    const state = await officerState(officerId);
    const target = { agencyId, officerId, today };
    const decide = () =>
      !decision.creates && state.model.revision < 0 ? officerNotRegistered(agencyId, officerId) : decision.decide(input, { officer: state.model, agency: agency.model }, target);
    return {
      state,
      request: decision.event(input, target),
      decide,
      apply: (revision, eventId, event) => applyToOfficer(state.model, revision, eventId, event),
      ...(decision.creates ? { enrols: officerId } : {}),
    };
  }
}

function validatedOrThrow<T extends object>(cls: new () => T, plain: unknown): T {
  try {
    return validated(cls, plain, 'options');
  } catch (error) {
    throw new RangeError((error as Error).message);
  }
}
