/**
 * Given / when / then around the write slices' pure decisions (src/write/decision.ts: each slice's
 * `decide`, e.g. src/officers/record-training.ts): the facts already recorded, folded into the
 * write models as LedgerWriter folds them; the command and its input on a given day in Minnesota;
 * then the event it records or the refusal it gives (status and messages, as the HTTP edge and
 * the bulk import report them). No store, no clock, no Nest: the unit tier (docs/decisions.md W46).
 *
 *   given(agency(registered), officer(assigned)).on('2026-12-01').when(END_ASSIGNMENT, input).then(refused(400, '...'))
 */
import type { DomainEvent, LocalDate } from '../../events/catalogue';
import type { RecordedEvent } from '../../events/envelope';
import { CURRENT_SCHEMA_VERSION } from '../../events/upcasters';
import type { AgencyDecision, OfficerDecision } from '../../src/write/decision';
import { Refusal } from '../../src/write/refusals';
import { foldAgency, foldOfficer } from '../../src/write/write-models';

/** A fact already recorded on the agency's or the officer's stream; `eventId` to retract it later. */
export interface Fact {
  stream: 'agency' | 'officer';
  event: DomainEvent;
  eventId?: string;
}
export const agency = (event: DomainEvent, eventId?: string): Fact => ({ stream: 'agency', event, eventId });
export const officer = (event: DomainEvent, eventId?: string): Fact => ({ stream: 'officer', event, eventId });

/** A refusal as the edge reports it. */
export interface Refused {
  refused: number;
  messages: string[];
}
export const refused = (status: number, ...messages: string[]): Refused => ({ refused: status, messages });
/** Any event: the command is accepted (when the event itself is not the point). */
export const accepted = 'accepted' as const;

/** What a decision gave: 'accepted', or [status, messages]. */
export type Outcome = 'accepted' | [number, string[]];

let ids = 0;
function recorded(stream: string, fact: Fact, revision: number): RecordedEvent {
  return {
    eventId: fact.eventId ?? `fact-${++ids}`,
    stream,
    revision,
    type: fact.event.type,
    schemaVersion: CURRENT_SCHEMA_VERSION[fact.event.type],
    data: fact.event.data,
    recordedAt: '2026-01-01T00:00:00.000Z',
    recordedBy: 'unit',
    correlationId: 'c',
  } as unknown as RecordedEvent;
}

export class Given {
  private today: LocalDate = '2026-01-01';

  constructor(
    private readonly facts: Fact[],
    private readonly ids: { agencyId: string; officerId: string },
  ) {}

  /** Today in Minnesota when the command is decided (LedgerWriter's and BulkImporter's `today`). */
  on(today: LocalDate): this {
    this.today = today;
    return this;
  }

  when<I>(decision: OfficerDecision<I> | AgencyDecision<I>, input: I): When {
    const of = (stream: Fact['stream']) => this.facts.filter((f) => f.stream === stream).map((f, revision) => recorded(stream, f, revision));
    const models = { officer: foldOfficer(of('officer')), agency: foldAgency(of('agency')) };
    const target = { ...this.ids, today: this.today };
    return new When((decision as OfficerDecision<I>).decide(input, models, target));
  }
}

export class When {
  constructor(readonly decided: DomainEvent | Refusal) {}

  get outcome(): Outcome {
    return this.decided instanceof Refusal ? [this.decided.status, this.decided.messages] : 'accepted';
  }

  /** The event recorded (compared whole), any event (`accepted`), or the refusal (`refused(status, ...messages)`). */
  then(expected: DomainEvent | Refused | typeof accepted): void {
    if (expected === accepted) expect(this.outcome).toBe(accepted);
    else if ('refused' in expected) expect(this.outcome).toEqual([expected.refused, expected.messages]);
    else expect(this.decided).toEqual(expected);
  }
}

/**
 * The facts recorded so far. The target's agency and officer are those the facts register
 * (AgencyRegistered, OfficerRegistered), else `agency` and `officer`.
 */
export function given(...facts: Fact[]): Given {
  const registered = (type: string, key: string) => {
    const fact = facts.find((f) => f.event.type === type);
    return fact ? String((fact.event.data as unknown as Record<string, unknown>)[key]) : undefined;
  };
  return new Given(facts, { agencyId: registered('AgencyRegistered', 'agencyId') ?? 'agency', officerId: registered('OfficerRegistered', 'officerId') ?? 'officer' });
}
