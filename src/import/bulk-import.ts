/**
 * The bulk import path (the CSV import's engine, and what the benchmark measures): many write
 * commands, each of the same shape as an HTTP write, appended in batched transactions.
 *
 * Every command goes through exactly what an HTTP write goes through, minus HTTP:
 * - its body and path parameters are validated with class-validator against the SAME DTO classes
 *   as the routes (plainToInstance + validation with whitelist / forbidNonWhitelisted /
 *   forbidUnknownValues, as the global ValidationPipe), giving the same field messages;
 * - its invariants are checked by the SAME decisions as the command handlers
 *   (src/write/invariants.ts) against the SAME write models (src/write/write-models.ts), folded
 *   incrementally so that a command sees the commands accepted before it in the import;
 * - the store validates, chains and hashes the events and appends them with `appendMany`,
 *   `batchSize` events per transaction (durability untouched: WAL + synchronous=FULL).
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
import { HttpException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { randomUUID } from 'node:crypto';
import type { DomainEvent, LocalDate } from '../../events/catalogue';
import type { NewEvent } from '../../events/envelope';
import { agencyStream, officerStream, rosterStream } from '../../events/streams';
import { CURRENT_SCHEMA_VERSION } from '../../events/upcasters';
import { AdoptPolicyDto } from '../agencies/adopt-policy';
import { AgencyPath, AssignmentPath, OfficerPath, TrainingPath } from '../common/paths';
import { isLocalDate } from '../common/validation';
import { AssignOfficerDto } from '../officers/assign-officer';
import { DeclareTrainingUnavailableDto } from '../officers/declare-training-unavailable';
import { EndAssignmentDto } from '../officers/end-assignment';
import { FileCertificateDto } from '../officers/file-certificate';
import { RecordPolicyReviewDto } from '../officers/record-policy-review';
import { RecordSubstituteDayDto } from '../officers/record-substitute-day';
import { RecordTrainingDto } from '../officers/record-training';
import { RegisterOfficerDto } from '../officers/register-officer';
import { RetractionDto } from '../officers/retract-event';
import { AppendRequest, EVENT_STORE, EventStore, ExpectedRevision } from '../store/event-store.port';
import * as decisions from '../write/invariants';
import type { AgencyDecision, OfficerDecision } from '../write/invariants';
import { idempotentEventId, newEventId, replay, todayInMinnesota } from '../write/ledger-writer';
import { AgencyModel, applyToAgency, applyToOfficer, foldAgency, foldOfficer, OfficerModel } from '../write/write-models';

type Ctor = new () => object;

interface OfficerCommandSpec {
  scope: 'officer';
  dto: Ctor;
  /** The route's path DTO (OfficerPath, AssignmentPath, TrainingPath): path fields validated like the route's. */
  path: Ctor;
  /** Path fields the command carries besides agencyId (officerId comes from the body for RegisterOfficer). */
  pathFields: readonly ('officerId' | 'assignmentId' | 'trainingId')[];
  decision: OfficerDecision<never>;
}
interface AgencyCommandSpec {
  scope: 'agency';
  dto: Ctor;
  decision: AgencyDecision<never>;
}

/** The write commands an import may carry: the HTTP write routes, by name. */
export const IMPORT_COMMANDS = {
  AdoptPolicy: { scope: 'agency', dto: AdoptPolicyDto, decision: decisions.ADOPT_POLICY },
  RetractAgencyEvent: { scope: 'agency', dto: RetractionDto, decision: decisions.RETRACT_AGENCY_EVENT },
  RegisterOfficer: { scope: 'officer', dto: RegisterOfficerDto, path: AgencyPath, pathFields: [], decision: decisions.REGISTER_OFFICER },
  AssignOfficer: { scope: 'officer', dto: AssignOfficerDto, path: OfficerPath, pathFields: ['officerId'], decision: decisions.ASSIGN_OFFICER },
  EndAssignment: { scope: 'officer', dto: EndAssignmentDto, path: AssignmentPath, pathFields: ['officerId', 'assignmentId'], decision: decisions.END_ASSIGNMENT },
  DeclareTrainingUnavailable: {
    scope: 'officer',
    dto: DeclareTrainingUnavailableDto,
    path: AssignmentPath,
    pathFields: ['officerId', 'assignmentId'],
    decision: decisions.DECLARE_TRAINING_UNAVAILABLE,
  },
  RecordSubstituteDay: { scope: 'officer', dto: RecordSubstituteDayDto, path: OfficerPath, pathFields: ['officerId'], decision: decisions.RECORD_SUBSTITUTE_DAY },
  RecordTraining: { scope: 'officer', dto: RecordTrainingDto, path: OfficerPath, pathFields: ['officerId'], decision: decisions.RECORD_TRAINING },
  FileCertificate: { scope: 'officer', dto: FileCertificateDto, path: TrainingPath, pathFields: ['officerId', 'trainingId'], decision: decisions.FILE_CERTIFICATE },
  RecordPolicyReview: { scope: 'officer', dto: RecordPolicyReviewDto, path: OfficerPath, pathFields: ['officerId'], decision: decisions.RECORD_POLICY_REVIEW },
  RetractOfficerEvent: { scope: 'officer', dto: RetractionDto, path: OfficerPath, pathFields: ['officerId'], decision: decisions.RETRACT_OFFICER_EVENT },
} as const satisfies Record<string, OfficerCommandSpec | AgencyCommandSpec>;

export type ImportCommandName = keyof typeof IMPORT_COMMANDS;

/**
 * One command: the route's name, its path parameters (besides agencyId, which is the import's),
 * its JSON body, and optionally an Idempotency-Key and the source line for the report.
 */
export interface ImportCommand {
  command: ImportCommandName;
  officerId?: string;
  assignmentId?: string;
  trainingId?: string;
  body: unknown;
  idempotencyKey?: string;
  line?: number;
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

/** A rejection: the same status and messages as the HTTP route would answer. */
class Rejection extends Error {
  constructor(
    readonly statusCode: number,
    readonly messages: string[],
  ) {
    super(messages.join('; '));
  }
}

const VALIDATION = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true } as const;

/** class-validator errors as the ValidationPipe words them: every constraint message, nested ones prefixed with their path. */
function messagesOf(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const own = Object.values(e.constraints ?? {}).map((m) => (parent ? `${parent}.${m}` : m));
    return [...own, ...messagesOf(e.children ?? [], parent ? `${parent}.${e.property}` : e.property)];
  });
}

function validated<T extends object>(cls: new () => T, plain: unknown, what: string): T {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) throw new Rejection(400, [`${what} must be a JSON object`]);
  const instance = plainToInstance(cls, plain, { enableImplicitConversion: false });
  const errors = validateSync(instance, VALIDATION);
  if (errors.length > 0) throw new Rejection(400, messagesOf(errors));
  return instance;
}

/**
 * Path validation, remembered per distinct path: validation is a pure function of the values,
 * and an import repeats one officer's path for each of its rows (about 40 in the benchmark).
 * Bounded: cleared when full. Outcomes are kept both ways (a Rejection is rethrown).
 */
const pathOutcomes = new Map<string, Rejection | null>();
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
    if (key !== undefined && error instanceof Rejection) remember(key, error);
    throw error;
  }
}

function remember(key: string, outcome: Rejection | null): void {
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
    if (options.today !== undefined && !isLocalDate(options.today)) throw new RangeError('today must be a real calendar date in the form YYYY-MM-DD');
    const today = options.today ?? todayInMinnesota(new Date());

    const report: ImportReport = { commands: 0, accepted: 0, duplicates: 0, rejectedCount: 0, rejected: [], eventsAppended: 0, transactions: 0 };
    const agencyStreamName = agencyStream(agencyId);
    const agencyEvents = await this.store.readStream(agencyStreamName);
    if (agencyEvents.length === 0) throw new NotFoundException([`agency ${agencyId} is not registered`]);
    const agency: StreamState<AgencyModel> = { stream: agencyStreamName, model: foldAgency(agencyEvents), committedRevision: agencyEvents[agencyEvents.length - 1].revision, pending: [] };

    const officers = new Map<string, StreamState<OfficerModel>>();
    /** Streams with pending events, in the order they first got one in this batch. */
    const dirty = new Set<StreamState<AgencyModel> | StreamState<OfficerModel>>();
    let pendingEvents = 0;
    let firstPendingIndex = 0;
    /** Event ids of keyed commands accepted in this import (a key used twice in one file). */
    const keyedInImport = new Map<string, number>();

    const officerState = async (officerId: string): Promise<StreamState<OfficerModel>> => {
      let state = officers.get(officerId);
      if (state) {
        officers.delete(officerId); // re-insert: the Map's order is least recently used first
        officers.set(officerId, state);
        return state;
      }
      const stream = officerStream(agencyId, officerId);
      const events = await this.store.readStream(stream);
      const model = foldOfficer(events);
      state = { stream, model, committedRevision: model.revision, pending: [] };
      officers.set(officerId, state);
      return state;
    };

    let enrolments: NewEvent[] = [];
    const flush = async (nextIndex: number) => {
      if (pendingEvents === 0) return;
      const batch: AppendRequest[] = [...dirty].map((s) => ({
        stream: s.stream,
        events: s.pending,
        expectedRevision: (s.committedRevision < 0 ? 'no_stream' : s.committedRevision) as ExpectedRevision,
      }));
      // Registrations enrol their officers on the agency roster in the same transaction (as LedgerWriter does).
      if (enrolments.length > 0) batch.push({ stream: rosterStream(agencyId), events: enrolments, expectedRevision: 'any' });
      try {
        await this.store.appendMany(batch);
      } catch (error) {
        throw new ImportAbortedError(report, firstPendingIndex, error);
      }
      for (const s of dirty) {
        s.committedRevision = s.model.revision;
        s.pending = [];
      }
      dirty.clear();
      enrolments = [];
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
        const decided = await this.decide(command, agencyId, today, agency, officerState);
        let eventId: string = newEventId();
        if (command.idempotencyKey !== undefined) {
          eventId = idempotentEventId(agencyId, command.idempotencyKey);
          const earlier = keyedInImport.get(eventId);
          if (earlier !== undefined) throw new Rejection(422, [`Idempotency-Key "${command.idempotencyKey}" is already used by command #${earlier} of this import`]);
          const first = await this.store.readEvent(eventId, { stream: decided.state.stream });
          if (first) {
            try {
              replay(first, decided.state.stream, decided.event);
            } catch (error) {
              throw toRejection(error);
            }
            report.duplicates++;
            continue;
          }
          keyedInImport.set(eventId, index);
        }
        decided.check();
        decided.state.pending.push({
          eventId,
          type: decided.event.type,
          schemaVersion: CURRENT_SCHEMA_VERSION[decided.event.type],
          data: decided.event.data,
          metadata: { recordedBy, correlationId },
        });
        if (decided.enrols) {
          enrolments.push({ eventId: newEventId(), type: 'OfficerEnrolled', schemaVersion: CURRENT_SCHEMA_VERSION.OfficerEnrolled, data: { officerId: decided.enrols }, metadata: { recordedBy, correlationId } });
        }
        decided.apply(decided.state.model.revision + 1, eventId);
        dirty.add(decided.state);
        pendingEvents++;
        report.accepted++;
      } catch (error) {
        const rejection = toRejection(error);
        report.rejectedCount++;
        if (report.rejected.length < maxReported) {
          report.rejected.push({
            index,
            ...(command?.line !== undefined ? { line: command.line } : {}),
            command: String(command?.command),
            statusCode: rejection.statusCode,
            messages: rejection.messages,
          });
        }
        continue;
      }
      if (pendingEvents >= batchSize) await flush(index + 1);
    }
    await flush(index + 1);
    return report;
  }

  /** Validates one command and checks its invariants; returns its event and how to fold it in. */
  private async decide(
    command: ImportCommand,
    agencyId: string,
    today: LocalDate,
    agency: StreamState<AgencyModel>,
    officerState: (officerId: string) => Promise<StreamState<OfficerModel>>,
  ): Promise<{
    state: StreamState<AgencyModel> | StreamState<OfficerModel>;
    event: DomainEvent;
    /** The invariants (throws a Rejection); run after the Idempotency-Key lookup, as for an HTTP write. */
    check: () => void;
    /** A registration: the officer to enrol on the agency roster. */
    enrols?: string;
    apply: (revision: number, eventId: string) => void;
  }> {
    if (typeof command !== 'object' || command === null) throw new Rejection(400, ['command must be an object']);
    const spec = (IMPORT_COMMANDS as Record<string, OfficerCommandSpec | AgencyCommandSpec>)[command.command];
    if (!spec || !Object.prototype.hasOwnProperty.call(IMPORT_COMMANDS, command.command)) {
      throw new Rejection(400, [`command must be one of ${Object.keys(IMPORT_COMMANDS).join(', ')}`]);
    }
    const body = validated(spec.dto, command.body, 'body') as Record<string, unknown>;
    if (spec.scope === 'agency') {
      const decision = spec.decision as AgencyDecision<unknown>;
      const event = decision.event(body, agencyId);
      return {
        state: agency,
        event,
        check: () => decision.check(agency.model, body, agencyId),
        apply: (revision, eventId) => applyToAgency(agency.model, revision, eventId, event),
      };
    }
    const path: Record<string, unknown> = { agencyId };
    for (const field of spec.pathFields) path[field] = command[field];
    validatedPath(spec.path, path);
    const decision = spec.decision as OfficerDecision<unknown>;
    const officerId = (spec.pathFields.length > 0 ? command.officerId : body.officerId) as string;
    const input = { ...body };
    if (spec.pathFields.includes('assignmentId')) input.assignmentId = command.assignmentId;
    if (spec.pathFields.includes('trainingId')) input.trainingId = command.trainingId;
    const state = await officerState(officerId);
    const target = { agencyId, officerId, today };
    const event = decision.event(input, target);
    const check = () => {
      if (!decision.creates && state.model.revision < 0) throw new Rejection(404, [`officer ${officerId} is not registered with agency ${agencyId}`]);
      decision.check(state.model, agency.model, input, target);
    };
    return {
      state,
      event,
      check,
      apply: (revision, eventId) => applyToOfficer(state.model, revision, eventId, event),
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

function toRejection(error: unknown): Rejection {
  if (error instanceof Rejection) return error;
  if (error instanceof HttpException) {
    const body = error.getResponse() as { message?: string | string[] } | string;
    const message = typeof body === 'string' ? body : body.message;
    return new Rejection(error.getStatus(), Array.isArray(message) ? message : [message ?? error.message]);
  }
  throw error; // not a refusal of the command: a bug or a store failure
}
