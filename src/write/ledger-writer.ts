/**
 * The one path by which a command appends (SPEC §2, §4; docs/decisions.md W3, W12, W15). A
 * command's handler, in its slice, gives the slice's decision and the command's input; the writer
 * 1. reads the clock once: today in Minnesota, before any stream is read;
 * 2. with an Idempotency-Key, whose event id is a UUIDv5 of (agency, key), looks that event up: a
 *    retry gets the first answer back, whatever happened since; the key sent with a different
 *    request is a 422 (IdempotencyMismatch);
 * 3. folds the write models (write-models.ts): the agency's stream (404 unless this is its
 *    registration) and, for an officer's command, the officer's (404 unless the registration);
 * 4. asks the decision, which gives the event or a refusal (thrown: nothing is appended);
 * 5. appends the event at the revision it read (a concurrent writer: WrongExpectedRevisionError,
 *    409), and for a registration the roster enrolment in the same transaction.
 * Racing keyed retries meet at the store's unique event id; a retry that loses to its own first
 * attempt (at the store, or at a decision that attempt made refuse) still gets the first answer.
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { DomainEvent, LocalDate } from '../../events/catalogue';
import { agencyStream, officerStream } from '../../events/streams';
import { localDateAt, MINNESOTA_TIME_ZONE } from '../../projections';
import { AppendRequest, DuplicateEventIdError, EVENT_STORE, EventStore, type NewFile } from '../store/event-store.port';
import type { AgencyDecision, AgencyTarget, OfficerDecision, Target } from './decision';
import { idempotentEventId, newEvent, newEventId, replay, rosterEnrolment } from './new-events';
import { agencyNotRegistered, Conflict, officerNotRegistered, Refusal } from './refusals';
import { foldAgency, foldOfficer } from './write-models';

/**
 * Who is writing, for which agency, under which correlation and idempotency key: what every
 * entry point gives with a command (the HTTP edge builds it from the request with @WriteCtx,
 * src/http/write-context.ts; the CLI from its user).
 */
export interface WriteContext {
  agencyId: string;
  recordedBy: string;
  correlationId: string;
  idempotencyKey?: string;
}

export interface WriteResult {
  eventId: string;
  recordedAt: string;
}

/** The Minnesota calendar date at an instant: the `today` the write decisions are given (SPEC §1; decisions W12). */
export const todayInMinnesota = (now: Date): LocalDate => localDateAt(now, MINNESOTA_TIME_ZONE);

/** Optional provider of the writer's clock (default: the system clock); tests give a fixed one. */
export const WRITE_CLOCK = 'WRITE_CLOCK';

/** A decision asked against the streams it reads: the event or the refusal, and the revision of the stream written. */
type Decided = { decided: DomainEvent | Refusal; revision: number };

@Injectable()
export class LedgerWriter {
  private readonly clock: () => Date;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore, @Optional() @Inject(WRITE_CLOCK) clock?: () => Date) {
    this.clock = clock ?? (() => new Date());
  }

  /** An officer's command: decided against the officer's and the agency's write models, appended to the officer's stream. */
  officerCommand<I>(ctx: WriteContext, officerId: string, decision: OfficerDecision<I>, input: I, files?: NewFile[]): Promise<WriteResult> {
    const target: Target = { agencyId: ctx.agencyId, officerId, today: todayInMinnesota(this.clock()) };
    const stream = officerStream(ctx.agencyId, officerId);
    return this.append(ctx, stream, decision.event(input, target), decision.creates ? officerId : undefined, files, async () => {
      const agency = foldAgency(await this.store.readStream(agencyStream(ctx.agencyId)));
      if (agency.revision < 0) throw agencyNotRegistered(ctx.agencyId);
      const officer = foldOfficer(await this.store.readStream(stream));
      if (officer.revision < 0 && !decision.creates) throw officerNotRegistered(ctx.agencyId, officerId);
      return { decided: decision.decide(input, { officer, agency }, target), revision: officer.revision };
    });
  }

  /** An agency-wide command (its registration included): decided against the agency's write model, appended to its stream. */
  agencyCommand<I>(ctx: WriteContext, decision: AgencyDecision<I>, input: I): Promise<WriteResult> {
    const target: AgencyTarget = { agencyId: ctx.agencyId, today: todayInMinnesota(this.clock()) };
    const stream = agencyStream(ctx.agencyId);
    return this.append(ctx, stream, decision.event(input, target), undefined, undefined, async () => {
      const agency = foldAgency(await this.store.readStream(stream));
      if (agency.revision < 0 && !decision.creates) throw agencyNotRegistered(ctx.agencyId);
      return { decided: decision.decide(input, { agency }, target), revision: agency.revision };
    });
  }

  /**
   * Steps 2 to 5 above: `request` is the event the command describes (step 2 compares a stored
   * first attempt with it), `decide` reads the streams and asks the slice's decision (3, 4), and
   * `enrols` names the officer a registration enrols on the roster (5).
   */
  private async append(ctx: WriteContext, stream: string, request: DomainEvent, enrols: string | undefined, files: NewFile[] | undefined, decide: () => Promise<Decided>): Promise<WriteResult> {
    const eventId = ctx.idempotencyKey ? idempotentEventId(ctx.agencyId, ctx.idempotencyKey) : newEventId();
    const firstAnswer = async () => {
      const first = ctx.idempotencyKey ? await this.store.readEvent(eventId, { stream }) : undefined;
      return first && replay(first, stream, request);
    };
    const answered = await firstAnswer();
    if (answered) return answered;
    try {
      const { decided, revision } = await decide();
      if (decided instanceof Refusal) throw decided;
      const metadata = { recordedBy: ctx.recordedBy, correlationId: ctx.correlationId };
      // Files (a certificate's PDF) are written in the same transaction as the event that references them.
      const main: AppendRequest = { stream, expectedRevision: revision < 0 ? 'no_stream' : revision, events: [newEvent(decided, metadata, eventId)], ...(files?.length ? { files } : {}) };
      const [result] = enrols
        ? await this.store.appendMany([main, rosterEnrolment(ctx.agencyId, [enrols], metadata)])
        : [await this.store.appendToStream(stream, main.events, { expectedRevision: main.expectedRevision, ...(main.files ? { files: main.files } : {}) })];
      const recorded = result.events[0];
      return { eventId: recorded.eventId, recordedAt: recorded.recordedAt };
    } catch (error) {
      // A keyed retry racing its own first attempt may lose at the store (duplicate id, revision
      // conflict) or at the decision (the first attempt's event is there now): either way, if
      // the first attempt's event exists, the retry gets its answer.
      const raced = await firstAnswer();
      if (raced) return raced;
      // The store says the id is taken, yet no event holds it: its index of event ids was altered
      // (docs/decisions.md W37). A clear refusal that records nothing, never a 500.
      if (error instanceof DuplicateEventIdError) {
        throw new Conflict([
          `${ctx.idempotencyKey ? 'Idempotency-Key' : 'eventId'}: the event id ${eventId} is marked as used in the store's index of event ids, but no event holds it: the index was altered outside the store, so nothing was recorded; an investigator's verify names it`,
        ]);
      }
      throw error;
    }
  }
}
