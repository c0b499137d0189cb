/**
 * A single write (a route's, the CLI's): a batch of one of the write engine (write-batch.ts;
 * docs/decisions.md W3, W12, W15, W41). A command's handler, in its slice, gives the slice's
 * decision and the command's input; the engine reads the clock, looks the Idempotency-Key up,
 * checks the agency and the officer are registered, asks the decision and appends (a concurrent
 * writer: 409). Here only what a single write adds: the answer (the first answer of a retry, the
 * refusal thrown), and a keyed retry that lost to its own first attempt (at the store, or at a
 * decision that attempt made refuse) gets the first answer.
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import { DuplicateEventIdError, EVENT_STORE, EventStore, type NewFile } from '../store/event-store.port';
import { Conflict } from './refusals';
import type { AgencyDecision, OfficerDecision } from './decision';
import { type BatchCommand, WRITE_CLOCK, WriteBatch, type WriteClock, writeToday, type WriteResult } from './write-batch';

export { todayInMinnesota, WRITE_CLOCK, type WriteResult } from './write-batch';

/**
 * Who is writing, for which agency, under which correlation and idempotency key: what every
 * entry point gives with a command (the HTTP edge builds it from the request with @WriteCtx,
 * src/common/write-context.ts; the CLI from its user).
 */
export interface WriteContext {
  agencyId: string;
  recordedBy: string;
  correlationId: string;
  idempotencyKey?: string;
}

@Injectable()
export class LedgerWriter {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Optional() @Inject(WRITE_CLOCK) private readonly clock?: WriteClock,
  ) {}

  /** An officer's command: decided against the officer's and the agency's write models, appended to the officer's stream. */
  officerCommand<I>(ctx: WriteContext, officerId: string, decision: OfficerDecision<I>, input: I, files?: NewFile[]): Promise<WriteResult> {
    return this.write(ctx, { scope: 'officer', decision: decision as OfficerDecision<never>, officerId, input, ...(files?.length ? { files } : {}) });
  }

  /** An agency-wide command (its registration included): decided against the agency's write model, appended to its stream. */
  agencyCommand<I>(ctx: WriteContext, decision: AgencyDecision<I>, input: I): Promise<WriteResult> {
    return this.write(ctx, { scope: 'agency', decision: decision as AgencyDecision<never>, input });
  }

  private async write(ctx: WriteContext, command: BatchCommand): Promise<WriteResult> {
    const batch = new WriteBatch(this.store, {
      agencyId: ctx.agencyId,
      metadata: { recordedBy: ctx.recordedBy, correlationId: ctx.correlationId },
      today: writeToday(this.clock),
    });
    const keyed: BatchCommand = ctx.idempotencyKey !== undefined ? { ...command, idempotencyKey: ctx.idempotencyKey } : command;
    let eventId: string | undefined;
    try {
      const outcome = await batch.add(keyed);
      if (outcome.kind === 'duplicate') return outcome.answer;
      if (outcome.kind === 'refused') throw outcome.refusal;
      eventId = outcome.eventId;
      const [result] = await batch.commit();
      const recorded = result.events[0];
      return { eventId: recorded.eventId, recordedAt: recorded.recordedAt };
    } catch (error) {
      // A keyed retry racing its own first attempt may lose at the store (duplicate id, revision
      // conflict) or at the decision (the first attempt's event is there now): either way, if
      // the first attempt's event exists, the retry gets its answer.
      const raced = await batch.firstAnswer(keyed);
      if (raced) return raced;
      // The store says the id is taken, yet no event holds it: its index of event ids was altered
      // (docs/decisions.md W37). A clear refusal that records nothing, never a 500.
      if (error instanceof DuplicateEventIdError) {
        throw new Conflict([
          `${ctx.idempotencyKey ? 'Idempotency-Key' : 'eventId'}: the event id ${eventId ?? '(this write)'} is marked as used in the store's index of event ids, but no event holds it: the index was altered outside the store, so nothing was recorded; an investigator's verify names it`,
        ]);
      }
      throw error;
    }
  }
}
