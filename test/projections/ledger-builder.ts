/** Builds OfficerLedgers for the projection tests: one event per call, recordedAt ticking forward. */
import type { Course } from '../../events/catalogue';
import type { LedgerEvent, OfficerLedger } from '../../projections';

export const LATER = '2099-01-01T00:00:00.000Z';

export class LedgerBuilder {
  readonly officerEvents: LedgerEvent[] = [];
  readonly agencyEvents: LedgerEvent[] = [];
  private clock = Date.parse('2024-01-01T12:00:00.000Z');
  private seq = 0;

  constructor(
    readonly officerId = 'off-1',
    readonly name = 'Pat Officer',
  ) {}

  /** The next events are recorded at this instant (and 1 ms apart after it). */
  at(instant: string): this {
    this.clock = Date.parse(instant);
    return this;
  }

  private push(stream: 'officer' | 'agency', type: string, data: unknown): string {
    const eventId = `e${++this.seq}-${type}`;
    const event: LedgerEvent = { eventId, type, data, recordedAt: new Date(this.clock).toISOString(), recordedBy: 'tester' };
    this.clock += 1;
    (stream === 'officer' ? this.officerEvents : this.agencyEvents).push(event);
    return eventId;
  }

  policy(version: string, adoptedOn: string): string {
    return this.push('agency', 'SroPolicyAdopted', { version, adoptedOn });
  }
  assign(assignmentId: string, startDate: string, schools = ['Central High']): string {
    return this.push('officer', 'OfficerAssigned', { assignmentId, schools, startDate });
  }
  end(assignmentId: string, endDate: string): string {
    return this.push('officer', 'AssignmentEnded', { assignmentId, endDate });
  }
  unavailable(assignmentId: string, declaredOn: string): string {
    return this.push('officer', 'TrainingUnavailableDeclared', { assignmentId, declaredOn, reason: 'no course offered' });
  }
  sub(date: string, school = 'Central High'): string {
    return this.push('officer', 'SubstituteDayServed', { date, school });
  }
  training(trainingId: string, course: Course, completedOn: string, courseNumber?: string): string {
    return this.push('officer', 'TrainingCompleted', { trainingId, course, completedOn, ...(courseNumber === undefined ? {} : { courseNumber }) });
  }
  certificate(trainingId: string, filedOn: string): string {
    return this.push('officer', 'CertificateFiled', { trainingId, sha256: 'ab'.repeat(32), fileName: `${trainingId}.pdf`, filedOn });
  }
  /** A course with its certificate filed the same day. */
  trained(trainingId: string, course: Course, completedOn: string, courseNumber?: string): string {
    const id = this.training(trainingId, course, completedOn, courseNumber);
    this.certificate(trainingId, completedOn);
    return id;
  }
  review(version: string, reviewedOn: string): string {
    return this.push('officer', 'PolicyReviewed', { version, reviewedOn });
  }
  retract(retractedEventId: string, stream: 'officer' | 'agency' = 'officer'): string {
    return this.push(stream, 'EventRetracted', { retractedEventId, reason: 'entered in error' });
  }
  /** Any event of the catalogue, by type and data (contracts, corrections, separations). */
  event(stream: 'officer' | 'agency', type: string, data: unknown): string {
    return this.push(stream, type, data);
  }
  raw(stream: 'officer' | 'agency', event: LedgerEvent): this {
    (stream === 'officer' ? this.officerEvents : this.agencyEvents).push(event);
    return this;
  }

  ledger(): OfficerLedger {
    return { officerId: this.officerId, name: this.name, officerEvents: [...this.officerEvents], agencyEvents: [...this.agencyEvents] };
  }
}

/** A builder with policy v1 adopted 2025-08-01 and reviewed by the officer 2025-08-15. */
export function withPolicy(): LedgerBuilder {
  const b = new LedgerBuilder();
  b.policy('v1', '2025-08-01');
  b.review('v1', '2025-08-15');
  return b;
}

/** n consecutive calendar dates from `from` (UTC arithmetic). */
export function consecutiveDates(from: string, n: number): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  return Array.from({ length: n }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10));
}
