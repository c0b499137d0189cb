/**
 * The product's refusals (docs/decisions.md W1, W15): why the ledger did not do what was asked, in
 * its own terms, with one message per field (`trainingId: training t1 is already recorded`). The
 * core throws them (src/write, src/import, src/read; the slices' decisions return them) and knows
 * nothing of HTTP; the HTTP edge answers each (src/common/http-errors.filter.ts), the bulk import
 * reports it, the CLI prints its messages. `status` is the HTTP number (docs/decisions.md W1) of
 * each kind of refusal, so that the import report ("what the route would have answered") and the
 * route agree.
 */
export abstract class Refusal extends Error {
  abstract readonly status: 400 | 404 | 409 | 422;

  constructor(readonly messages: string[]) {
    super(messages.join('; '));
    this.name = new.target.name;
  }
}

/** The request is wrong: a bad field, or a fact that cannot be (a date after today, a review before the adoption). */
export class Invalid extends Refusal {
  readonly status = 400;
}

/** What the request names in its path is not in the records (an agency, an officer, an assignment, a training). */
export class NotFound extends Refusal {
  readonly status = 404;
}

/** The request conflicts with what is recorded (a duplicate id, an assignment already ended, an event already retracted). */
export class Conflict extends Refusal {
  readonly status = 409;
}

/** An Idempotency-Key reused for a different request (decisions W3). */
export class IdempotencyMismatch extends Refusal {
  readonly status = 422;
}

export const agencyNotRegistered = (agencyId: string): NotFound => new NotFound([`agency ${agencyId} is not registered`]);

export const officerNotRegistered = (agencyId: string, officerId: string): NotFound =>
  new NotFound([`officer ${officerId} is not registered with agency ${agencyId}`]);
