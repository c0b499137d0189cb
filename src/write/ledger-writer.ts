/**
 * The one path by which a command appends (SPEC §2, §4): honour an Idempotency-Key, load the
 * streams the command's invariants need, let the command check them, append with the expected
 * revision it read. A check that throws, or a concurrent writer (409), appends nothing.
 *
 * Idempotency: with a key, the event id is a UUIDv5 of (agency, key). A retry finds that id
 * already stored and gets the first answer back, whatever happened since; the same key sent
 * with a different request is a 422. Racing retries meet at the store's unique event id, and a
 * retry refused by a check that its own first attempt made true still gets the first answer.
 */
import { ConflictException, Inject, Injectable, NotFoundException, Optional, UnprocessableEntityException } from '@nestjs/common';
import canonicalize from 'canonicalize';
import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';
import type { DomainEvent, LocalDate } from '../../events/catalogue';
import { localDateAt } from '../../projections/dates';
import { MINNESOTA_TIME_ZONE } from '../../projections/interpretation';
import type { RecordedEvent } from '../../events/envelope';
import { agencyStream, officerStream, rosterStream } from '../../events/streams';
import { CURRENT_SCHEMA_VERSION } from '../../events/upcasters';
import type { NewEvent } from '../../events/envelope';
import { AppendRequest, EVENT_STORE, EventStore } from '../store/event-store.port';
import type { WriteContext } from './write-context';
import type { AgencyDecision, OfficerDecision } from './invariants';
import { AgencyModel, foldAgency, foldOfficer, OfficerModel } from './write-models';

export interface WriteResult {
  eventId: string;
  recordedAt: string;
}

/** Namespace for idempotent event ids (a fixed random UUID of this product). */
const IDEMPOTENCY_NAMESPACE = '6f0b8f43-5d0e-4c55-9f4c-1f6e0f0c7a21';

/**
 * A new event id: a UUIDv7 (time-ordered), so that the stores' unique index on event ids grows
 * at its end instead of taking random inserts all over (which, at a million events, dirties a
 * page per event and multiplies the bytes each commit writes).
 */
export const newEventId = (): string => uuidv7();

/** The event id an Idempotency-Key stands for, within an agency (the HTTP writes and the bulk import agree). */
export const idempotentEventId = (agencyId: string, idempotencyKey: string): string => uuidv5(`${agencyId}\n${idempotencyKey}`, IDEMPOTENCY_NAMESPACE);

/** The Minnesota calendar date at an instant: the `today` the write decisions are given (SPEC §1; decisions W12). */
export const todayInMinnesota = (now: Date): LocalDate => localDateAt(now, MINNESOTA_TIME_ZONE);

/** Optional provider of the writer's clock (default: the system clock); tests give a fixed one. */
export const WRITE_CLOCK = 'WRITE_CLOCK';

@Injectable()
export class LedgerWriter {
  private readonly clock: () => Date;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore, @Optional() @Inject(WRITE_CLOCK) clock?: () => Date) {
    this.clock = clock ?? (() => new Date());
  }

  /** Runs an officer command's shared decision (src/write/invariants.ts) against the streams and appends its event. */
  officerCommand<I>(ctx: WriteContext, officerId: string, decision: OfficerDecision<I>, input: I): Promise<WriteResult> {
    // "Today" is read once per command, before the streams are read: a decision never reads the clock itself.
    const target = { agencyId: ctx.agencyId, officerId, today: todayInMinnesota(this.clock()) };
    return this.appendToOfficer(ctx, officerId, decision.event(input, target), (officer, agency) => decision.check(officer, agency, input, target), {
      creates: decision.creates,
    });
  }

  /** Runs an agency command's shared decision against the agency stream and appends its event. */
  agencyCommand<I>(ctx: WriteContext, decision: AgencyDecision<I>, input: I): Promise<WriteResult> {
    return this.appendToAgency(ctx, decision.event(input, ctx.agencyId), (agency) => decision.check(agency, input, ctx.agencyId));
  }

  /** Appends to the agency stream; 404 when the agency is unknown. */
  async appendToAgency(ctx: WriteContext, event: DomainEvent, check: (agency: AgencyModel) => void = () => {}): Promise<WriteResult> {
    const stream = agencyStream(ctx.agencyId);
    return this.write(ctx, stream, event, undefined, async () => {
      const agency = foldAgency(await this.store.readStream(stream));
      if (agency.revision < 0) throw new NotFoundException([`agency ${ctx.agencyId} is not registered`]);
      check(agency);
      return agency.revision;
    });
  }

  /** Creates a new agency stream (AgencyRegistered); 409 when it exists. */
  async registerAgency(ctx: WriteContext, event: DomainEvent & { type: 'AgencyRegistered' }): Promise<WriteResult> {
    const stream = agencyStream(ctx.agencyId);
    return this.write(ctx, stream, event, undefined, async () => {
      if ((await this.store.readStream(stream)).length > 0) throw new ConflictException([`agencyId: agency ${ctx.agencyId} is already registered`]);
      return 'no_stream';
    });
  }

  /**
   * Appends to an officer's stream. The officer must be registered unless `creates` (the
   * registration itself, which requires the stream not to exist). 404 for an unknown agency or officer.
   */
  async appendToOfficer(
    ctx: WriteContext,
    officerId: string,
    event: DomainEvent,
    check: (officer: OfficerModel, agency: AgencyModel) => void = () => {},
    options: { creates?: boolean } = {},
  ): Promise<WriteResult> {
    const stream = officerStream(ctx.agencyId, officerId);
    // A registration also enrols the officer on the agency roster, in the same transaction.
    const enrolment = options.creates
      ? (metadata: NewEvent['metadata']): AppendRequest => ({
          stream: rosterStream(ctx.agencyId),
          expectedRevision: 'any',
          events: [{ eventId: newEventId(), type: 'OfficerEnrolled', schemaVersion: CURRENT_SCHEMA_VERSION.OfficerEnrolled, data: { officerId }, metadata }],
        })
      : undefined;
    return this.write(ctx, stream, event, enrolment, async () => {
      const agency = foldAgency(await this.store.readStream(agencyStream(ctx.agencyId)));
      if (agency.revision < 0) throw new NotFoundException([`agency ${ctx.agencyId} is not registered`]);
      const officer = foldOfficer(await this.store.readStream(stream));
      if (!options.creates && officer.revision < 0) throw new NotFoundException([`officer ${officerId} is not registered with agency ${ctx.agencyId}`]);
      check(officer, agency);
      return officer.revision < 0 ? 'no_stream' : officer.revision;
    });
  }

  private async write(
    ctx: WriteContext,
    stream: string,
    event: DomainEvent,
    companion: ((metadata: NewEvent['metadata']) => AppendRequest) | undefined,
    loadAndCheck: () => Promise<number | 'no_stream'>,
  ): Promise<WriteResult> {
    event = { type: event.type, data: JSON.parse(JSON.stringify(event.data)) } as DomainEvent; // as it will be stored: no undefined fields
    const eventId = ctx.idempotencyKey ? idempotentEventId(ctx.agencyId, ctx.idempotencyKey) : newEventId();
    if (ctx.idempotencyKey) {
      const first = await this.store.readEvent(eventId, { stream });
      if (first) return replay(first, stream, event);
    }
    try {
      const expectedRevision = await loadAndCheck();
      const metadata = { recordedBy: ctx.recordedBy, correlationId: ctx.correlationId };
      const main: AppendRequest = {
        stream,
        expectedRevision,
        events: [{ eventId, type: event.type, schemaVersion: CURRENT_SCHEMA_VERSION[event.type], data: event.data, metadata }],
      };
      const [result] = companion ? await this.store.appendMany([main, companion(metadata)]) : [await this.store.appendToStream(stream, main.events, main)];
      const recorded = result.events[0];
      return { eventId: recorded.eventId, recordedAt: recorded.recordedAt };
    } catch (error) {
      // A keyed retry racing its own first attempt may lose at the store (duplicate id, revision
      // conflict) or at the invariants (the first attempt's event is there now): either way, if
      // the first attempt's event exists, the retry gets its answer.
      if (ctx.idempotencyKey) {
        const first = await this.store.readEvent(eventId, { stream });
        if (first) return replay(first, stream, event);
      }
      throw error;
    }
  }
}

/** The first answer to a retried request, if the retry is the same request. */
export function replay(first: RecordedEvent, stream: string, event: DomainEvent): WriteResult {
  if (first.stream !== stream || first.type !== event.type || canonicalize(first.data) !== canonicalize(event.data)) {
    throw new UnprocessableEntityException([
      `Idempotency-Key was already used for a different request (event ${first.eventId}, ${first.type}); use a new key for a new request`,
    ]);
  }
  return { eventId: first.eventId, recordedAt: first.recordedAt };
}
