/**
 * What a use case's decision is. Each write slice (src/officers/*, src/agencies/*) holds its own,
 * beside its DTO, command, handler and controller: from the validated input, `event` is the fact
 * the command records, and `decide` is that event or the refusal, judged against the write models
 * (write-models.ts). Both are pure: no I/O, and no clock ("today" is a value passed in,
 * docs/decisions.md W12). LedgerWriter runs a decision for each command the bus delivers, and
 * BulkImporter for each row of an import, so the routes and the import refuse alike.
 *
 * `event` stands on its own because an Idempotency-Key retry is compared with the event its
 * request describes even when the records now refuse it (its own first attempt made the
 * trainingId a duplicate): decisions W3.
 */
import type { DomainEvent, LocalDate } from '../../events/catalogue';
import { Invalid, type Refusal } from './refusals';
import type { AgencyModel, OfficerModel } from './write-models';

/**
 * Where and when a command applies: the agency and the officer, as the path names them, and
 * today's date in Minnesota (America/Chicago) when the command is decided. `today` is computed
 * once by the caller (LedgerWriter per command, BulkImporter per import: `todayInMinnesota`).
 */
export interface Target {
  agencyId: string;
  officerId: string;
  today: LocalDate;
}

export type AgencyTarget = Omit<Target, 'officerId'>;

/** A command on an officer's stream, decided against the officer's and the agency's write models. */
export interface OfficerDecision<I> {
  /** The registration: creates the stream (which must not exist) and enrols the officer on the agency roster. */
  readonly creates?: boolean;
  event(input: I, target: Target): DomainEvent;
  decide(input: I, models: { officer: OfficerModel; agency: AgencyModel }, target: Target): DomainEvent | Refusal;
}

/** A command on the agency's stream, decided against the agency's write model. */
export interface AgencyDecision<I> {
  /** The agency's registration: creates the stream, which must not exist. */
  readonly creates?: boolean;
  event(input: I, target: AgencyTarget): DomainEvent;
  decide(input: I, models: { agency: AgencyModel }, target: AgencyTarget): DomainEvent | Refusal;
}

/**
 * A fact cannot be recorded before the day it happens (W12): the effective date of a completed
 * course, a filed certificate, a review, a declaration or a substitute day must be on or before
 * today in Minnesota (today itself is allowed). A planned assignment (startDate) or end (endDate)
 * and a policy adopted with a later date are not facts of the past, and are not checked.
 */
export function notAfterToday(field: string, date: LocalDate, today: LocalDate): Invalid | undefined {
  return date > today ? new Invalid([`${field} must not be after today in Minnesota, ${today} (got ${date})`]) : undefined;
}
