/**
 * The one write engine (docs/reference.md, the write path; docs/decisions.md W3, W6, W12, W41):
 * a list of commands for one agency, each decided against the write models as the commands
 * before it left them, appended together. A single write (LedgerWriter: a route, the CLI) is a
 * batch of one; the import (BulkImporter) a batch of many, committed every so many events, or
 * once for all-or-nothing. Here, and only here:
 * - the clock: today in Minnesota, read once per batch (writeToday);
 * - the Idempotency-Key: its event id (a UUIDv5 of agency and key) looked up in the stream the
 *   command writes; a retry gets the first answer, the key with a different request is a 422;
 * - the registration checks: the agency (404 unless the command registers it), the officer (404
 *   unless the command registers them);
 * - the decision (the slice's: the event or the refusal), its event folded into the models;
 * - the append: each stream at the revision read (a concurrent writer: 409), the certificates'
 *   files with their event, and the registrations' roster enrolment in the same transaction.
 * Entry points stay thin: they validate their input (the ValidationPipe, the import's rows) and
 * word the outcome (an HTTP answer, a report line).
 */
import type { DomainEvent, LocalDate } from '../../events/catalogue';
import type { EventMetadata, NewEvent, RecordedEvent } from '../../events/envelope';
import { agencyStream, officerStream } from '../../events/streams';
import { localDateAt, MINNESOTA_TIME_ZONE } from '../../projections';
import type { AppendRequest, AppendResult, EventStore, ExpectedRevision, NewFile } from '../store/event-store.port';
import type { AgencyDecision, OfficerDecision } from './decision';
import { idempotentEventId, newEvent, newEventId, replay, rosterEnrolment } from './new-events';
import { agencyNotRegistered, officerNotRegistered, Refusal } from './refusals';
import { AgencyModel, applyToAgency, applyToOfficer, foldAgency, foldOfficer, OfficerModel } from './write-models';

/** The Minnesota calendar date at an instant: the `today` the write decisions are given (decisions W12). */
export const todayInMinnesota = (now: Date): LocalDate => localDateAt(now, MINNESOTA_TIME_ZONE);

/** Optional provider of the writers' clock (default: the system clock); tests give a fixed one. */
export const WRITE_CLOCK = 'WRITE_CLOCK';

export type WriteClock = () => Date;

/** The one clock of the writes: today in Minnesota by `clock`, or by the system clock. */
export const writeToday = (clock?: WriteClock): LocalDate => todayInMinnesota(clock ? clock() : new Date());

export interface WriteResult {
  eventId: string;
  recordedAt: string;
}

/** One command of a batch: its slice's scope and decision, the officer its path names, its validated input. */
export type BatchCommand = (
  | { scope: 'agency'; decision: AgencyDecision<never> }
  | { scope: 'officer'; decision: OfficerDecision<never>; officerId: string }
) & {
  input: unknown;
  idempotencyKey?: string;
  /** Files written in the same transaction as the event (a certificate's PDF). */
  files?: NewFile[];
};

export type Outcome =
  | { kind: 'accepted'; eventId: string; stream: string; event: DomainEvent }
  /** The key's first request was recorded already: its answer, nothing appended. */
  | { kind: 'duplicate'; answer: WriteResult }
  /** `keyUnused`: the key (if any) was looked up and is new, so the refusal is the records' (not the key's). */
  | { kind: 'refused'; refusal: Refusal; keyUnused: boolean };

export interface BatchOptions {
  agencyId: string;
  metadata: EventMetadata;
  today: LocalDate;
  /**
   * The officer streams known to exist (the import lists them once, so that a new officer's
   * stream is not read); without it each officer's stream is read. Streams this batch commits join it.
   */
  storedOfficers?: Set<string>;
  /** How many officer models stay cached after a commit (bounded memory for any command order). */
  cachedStreams?: number;
}

interface StreamState<M> {
  stream: string;
  model: M;
  /** Revision of the stream in the store before the pending (uncommitted) events of this batch. */
  committedRevision: number;
  pending: NewEvent[];
  files: NewFile[];
}

type AnyState = StreamState<AgencyModel> | StreamState<OfficerModel>;

export class WriteBatch {
  private agency?: StreamState<AgencyModel>;
  private readonly officers = new Map<string, StreamState<OfficerModel>>();
  /** Streams with pending events, in the order they first got one. */
  private readonly dirty = new Set<AnyState>();
  /** The officers registered in this batch, to enrol on the agency roster. */
  private enrolled: string[] = [];
  private pendingEvents = 0;

  constructor(
    private readonly store: EventStore,
    private readonly options: BatchOptions,
  ) {}

  /** Events decided and not yet committed. */
  get pending(): number {
    return this.pendingEvents;
  }

  /** The agency's write model (read once). */
  async agencyModel(): Promise<AgencyModel> {
    return (await this.agencyState()).model;
  }

  /** Decides one command against the models as the batch left them; an accepted event waits for commit(). */
  async add(command: BatchCommand): Promise<Outcome> {
    const { agencyId, today } = this.options;
    const agency = await this.agencyState();
    const state: AnyState = command.scope === 'agency' ? agency : await this.officerState(command.officerId);
    const target = command.scope === 'agency' ? { agencyId, today } : { agencyId, officerId: command.officerId, today };
    const request = this.request(command, target);
    let eventId = newEventId();
    if (command.idempotencyKey !== undefined) {
      eventId = idempotentEventId(agencyId, command.idempotencyKey);
      try {
        const answer = await this.firstAnswerOf(eventId, state.stream, request);
        if (answer) return { kind: 'duplicate', answer };
      } catch (error) {
        if (error instanceof Refusal) return { kind: 'refused', refusal: error, keyUnused: false };
        throw error;
      }
    }
    const decided = this.decide(command, agency.model, state, target);
    if (decided instanceof Refusal) return { kind: 'refused', refusal: decided, keyUnused: true };
    state.pending.push(newEvent(decided, this.options.metadata, eventId));
    if (command.files?.length) state.files.push(...command.files);
    const revision = state.model.revision + 1;
    if (command.scope === 'agency') applyToAgency(agency.model, revision, eventId, decided);
    else applyToOfficer((state as StreamState<OfficerModel>).model, revision, eventId, decided);
    if (command.scope === 'officer' && command.decision.creates) this.enrolled.push(command.officerId);
    this.dirty.add(state);
    this.pendingEvents++;
    return { kind: 'accepted', eventId, stream: state.stream, event: decided };
  }

  /**
   * The first answer to a keyed command already recorded (an IdempotencyMismatch when the key
   * was used for another request), or undefined: what a retry that raced its own first attempt
   * is answered with.
   */
  async firstAnswer(command: BatchCommand): Promise<WriteResult | undefined> {
    if (command.idempotencyKey === undefined) return undefined;
    const { agencyId, today } = this.options;
    const stream = command.scope === 'agency' ? agencyStream(agencyId) : officerStream(agencyId, command.officerId);
    const target = command.scope === 'agency' ? { agencyId, today } : { agencyId, officerId: command.officerId, today };
    return this.firstAnswerOf(idempotentEventId(agencyId, command.idempotencyKey), stream, this.request(command, target));
  }

  /**
   * Appends the pending events: one stream with appendToStream, several (or a registration and
   * its enrolment) with appendMany, in one transaction where the store can. One result per
   * stream, in the order the streams first got an event (the roster's last).
   */
  async commit(): Promise<AppendResult[]> {
    if (this.pendingEvents === 0) return [];
    const requests: AppendRequest[] = [...this.dirty].map((s) => ({
      stream: s.stream,
      events: s.pending,
      expectedRevision: (s.committedRevision < 0 ? 'no_stream' : s.committedRevision) as ExpectedRevision,
      ...(s.files.length ? { files: s.files } : {}),
    }));
    if (this.enrolled.length > 0) requests.push(rosterEnrolment(this.options.agencyId, this.enrolled, this.options.metadata));
    const results =
      requests.length === 1
        ? [await this.store.appendToStream(requests[0].stream, requests[0].events, { expectedRevision: requests[0].expectedRevision, ...(requests[0].files ? { files: requests[0].files } : {}) })]
        : await this.store.appendMany(requests);
    for (const s of this.dirty) {
      s.committedRevision = s.model.revision;
      s.pending = [];
      s.files = [];
      this.options.storedOfficers?.add(s.stream);
    }
    this.dirty.clear();
    this.enrolled = [];
    this.pendingEvents = 0;
    // Evict the least recently used models: they are committed, so they can be read again.
    const cached = this.options.cachedStreams ?? Infinity;
    for (const id of this.officers.keys()) {
      if (this.officers.size <= cached) break;
      this.officers.delete(id);
    }
    return results;
  }

  /** The event the command describes: what a key already used is compared with (decisions W3). */
  private request(command: BatchCommand, target: { agencyId: string; officerId?: string; today: LocalDate }): DomainEvent {
    return command.scope === 'agency'
      ? (command.decision as AgencyDecision<unknown>).event(command.input, target)
      : (command.decision as OfficerDecision<unknown>).event(command.input, target as { agencyId: string; officerId: string; today: LocalDate });
  }

  /** The registration checks, then the slice's decision. */
  private decide(command: BatchCommand, agency: AgencyModel, state: AnyState, target: { agencyId: string; officerId?: string; today: LocalDate }): DomainEvent | Refusal {
    const { agencyId } = this.options;
    if (agency.revision < 0 && !(command.scope === 'agency' && command.decision.creates)) return agencyNotRegistered(agencyId);
    if (command.scope === 'agency') return (command.decision as AgencyDecision<unknown>).decide(command.input, { agency }, target);
    const officer = (state as StreamState<OfficerModel>).model;
    if (officer.revision < 0 && !command.decision.creates) return officerNotRegistered(agencyId, command.officerId);
    return (command.decision as OfficerDecision<unknown>).decide(command.input, { officer, agency }, target as { agencyId: string; officerId: string; today: LocalDate });
  }

  private async firstAnswerOf(eventId: string, stream: string, request: DomainEvent): Promise<WriteResult | undefined> {
    const first: RecordedEvent | undefined = await this.store.readEvent(eventId, { stream });
    return first && replay(first, stream, request);
  }

  private async agencyState(): Promise<StreamState<AgencyModel>> {
    if (!this.agency) {
      const stream = agencyStream(this.options.agencyId);
      const model = foldAgency(await this.store.readStream(stream));
      this.agency = { stream, model, committedRevision: model.revision, pending: [], files: [] };
    }
    return this.agency;
  }

  private async officerState(officerId: string): Promise<StreamState<OfficerModel>> {
    let state = this.officers.get(officerId);
    if (state) {
      this.officers.delete(officerId); // re-insert: the Map's order is least recently used first
      this.officers.set(officerId, state);
      return state;
    }
    const stream = officerStream(this.options.agencyId, officerId);
    const known = this.options.storedOfficers;
    const model = foldOfficer(!known || known.has(stream) ? await this.store.readStream(stream) : []);
    state = { stream, model, committedRevision: model.revision, pending: [], files: [] };
    this.officers.set(officerId, state);
    return state;
  }
}
