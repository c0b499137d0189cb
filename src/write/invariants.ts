/**
 * The write commands' decisions, shared by every path that appends (SPEC §2): the HTTP command
 * handlers (through LedgerWriter) and the bulk import (src/import/bulk-import.ts). Each command
 * has a pure `event` (the fact it records, from its validated input) and a pure `check` against
 * the write models of write-models.ts, which throws the same HttpException (and so the same 4xx
 * and message) whichever path runs it. Nothing here does I/O.
 *
 * Inputs are plain shapes (structurally the DTOs of src/officers and src/agencies, which are
 * validated before a decision is asked for), so that this module does not import the slices.
 */
import { BadRequestException, ConflictException, NotFoundException } from '@nestjs/common';
import type { Course, DomainEvent, LocalDate } from '../../events/catalogue';
import { checkRetraction } from './retraction';
import type { AgencyModel, OfficerModel } from './write-models';

/**
 * Where and when a command applies: the agency and the officer, as the path names them, and
 * today's date in Minnesota (America/Chicago) when the command is decided. `today` is a value
 * the caller computes once (LedgerWriter, BulkImporter: `todayInMinnesota`), never a clock read
 * here, so that every decision stays a pure function of its arguments.
 */
export interface Target {
  agencyId: string;
  officerId: string;
  today: LocalDate;
}

/**
 * A fact cannot be recorded before the day it happens (docs/decisions.md W12): the effective
 * date of a completed course, a filed certificate, a review, a declaration or a substitute day
 * must be on or before today in Minnesota (today itself is allowed). A planned assignment
 * (startDate) or end (endDate) and a policy adopted with a later date are not facts of the
 * past, and are not checked here.
 */
function notAfterToday(field: string, date: LocalDate, today: LocalDate): void {
  if (date > today) throw new BadRequestException([`${field} must not be after today in Minnesota, ${today} (got ${date})`]);
}

export interface OfficerDecision<I> {
  /** The registration creates the stream (which must not exist); every other command needs it. */
  readonly creates?: boolean;
  event(input: I, target: Target): DomainEvent;
  check(officer: OfficerModel, agency: AgencyModel, input: I, target: Target): void;
}

export interface AgencyDecision<I> {
  event(input: I, agencyId: string): DomainEvent;
  check(agency: AgencyModel, input: I, agencyId: string): void;
}

export const ADOPT_POLICY: AgencyDecision<{ version: string; adoptedOn: string; documentSha256?: string }> = {
  event: ({ version, adoptedOn, documentSha256 }) => ({ type: 'SroPolicyAdopted', data: { version, adoptedOn, documentSha256 } }),
  check(agency, { version }) {
    if (agency.policies.has(version)) throw new ConflictException([`version: policy version "${version}" is already adopted`]);
  },
};

export const RETRACT_AGENCY_EVENT: AgencyDecision<{ eventId: string; reason: string }> = {
  event: ({ eventId, reason }) => ({ type: 'EventRetracted', data: { retractedEventId: eventId, reason } }),
  check: (agency, { eventId }, agencyId) => checkRetraction(agency, eventId, `agency ${agencyId}`),
};

export const REGISTER_OFFICER: OfficerDecision<{ officerId: string; name: string; licenseNumber?: string }> = {
  creates: true,
  event: ({ officerId, name, licenseNumber }) => ({ type: 'OfficerRegistered', data: { officerId, name, licenseNumber } }),
  check(officer, _agency, { officerId }) {
    if (officer.revision >= 0) throw new ConflictException([`officerId: officer ${officerId} is already registered`]);
  },
};

export const ASSIGN_OFFICER: OfficerDecision<{ assignmentId: string; schools: string[]; startDate: string }> = {
  event: ({ assignmentId, schools, startDate }) => ({ type: 'OfficerAssigned', data: { assignmentId, schools, startDate } }),
  check(officer, _agency, { assignmentId }) {
    if (officer.assignments.has(assignmentId)) throw new ConflictException([`assignmentId: assignment ${assignmentId} is already recorded`]);
  },
};

export const END_ASSIGNMENT: OfficerDecision<{ assignmentId: string; endDate: string }> = {
  event: ({ assignmentId, endDate }) => ({ type: 'AssignmentEnded', data: { assignmentId, endDate } }),
  check(officer, _agency, { assignmentId, endDate }, { officerId }) {
    const assignment = officer.assignments.get(assignmentId);
    if (!assignment) throw new NotFoundException([`assignmentId: officer ${officerId} has no assignment ${assignmentId}`]);
    if (assignment.endDate) throw new ConflictException([`assignmentId: assignment ${assignmentId} already ended on ${assignment.endDate}`]);
    if (endDate < assignment.startDate) {
      throw new BadRequestException([`endDate must be on or after the assignment's startDate ${assignment.startDate}`]);
    }
  },
};

export const DECLARE_TRAINING_UNAVAILABLE: OfficerDecision<{ assignmentId: string; declaredOn: string; reason: string }> = {
  event: ({ assignmentId, declaredOn, reason }) => ({ type: 'TrainingUnavailableDeclared', data: { assignmentId, declaredOn, reason } }),
  check(officer, _agency, { assignmentId, declaredOn }, { officerId, today }) {
    notAfterToday('declaredOn', declaredOn, today);
    if (!officer.assignments.has(assignmentId)) throw new NotFoundException([`assignmentId: officer ${officerId} has no assignment ${assignmentId}`]);
  },
};

export const RECORD_SUBSTITUTE_DAY: OfficerDecision<{ date: string; school: string }> = {
  // Two schools on one day are two facts but one contact day: the rules count distinct dates.
  event: ({ date, school }) => ({ type: 'SubstituteDayServed', data: { date, school } }),
  check(_officer, _agency, { date }, { today }) {
    notAfterToday('date', date, today);
  },
};

export const RECORD_TRAINING: OfficerDecision<{ trainingId: string; course: Course; completedOn: string; provider?: string; courseNumber?: string }> = {
  event: ({ trainingId, course, completedOn, provider, courseNumber }) => ({
    type: 'TrainingCompleted',
    data: { trainingId, course, completedOn, provider, courseNumber },
  }),
  check(officer, _agency, { trainingId, completedOn }, { today }) {
    notAfterToday('completedOn', completedOn, today);
    if (officer.trainings.has(trainingId)) throw new ConflictException([`trainingId: training ${trainingId} is already recorded`]);
  },
};

export const FILE_CERTIFICATE: OfficerDecision<{ trainingId: string; sha256: string; fileName: string; filedOn: string }> = {
  event: ({ trainingId, sha256, fileName, filedOn }) => ({ type: 'CertificateFiled', data: { trainingId, sha256: sha256.toLowerCase(), fileName, filedOn } }),
  check(officer, _agency, { trainingId, filedOn }, { officerId, today }) {
    notAfterToday('filedOn', filedOn, today);
    const training = officer.trainings.get(trainingId);
    if (!training) throw new NotFoundException([`trainingId: officer ${officerId} has no training ${trainingId}`]);
    // A certificate attests a completed course: it cannot be filed before the course was completed.
    if (filedOn < training.completedOn) {
      throw new BadRequestException([`filedOn must be on or after the training's completedOn ${training.completedOn} (got ${filedOn})`]);
    }
  },
};

export const RECORD_POLICY_REVIEW: OfficerDecision<{ version: string; reviewedOn: string }> = {
  event: ({ version, reviewedOn }) => ({ type: 'PolicyReviewed', data: { version, reviewedOn } }),
  check(_officer, agency, { version, reviewedOn }, { agencyId, today }) {
    notAfterToday('reviewedOn', reviewedOn, today);
    const policy = agency.policies.get(version);
    if (!policy) {
      const adopted = [...agency.policies.keys()];
      throw new BadRequestException([
        `version: agency ${agencyId} never adopted policy version "${version}" (adopted: ${adopted.length ? adopted.join(', ') : 'none'})`,
      ]);
    }
    // A version cannot be reviewed before it exists: before its adoption there was nothing of it to review.
    if (reviewedOn < policy.adoptedOn) {
      throw new BadRequestException([`reviewedOn must be on or after the adoptedOn ${policy.adoptedOn} of policy version "${version}" (got ${reviewedOn})`]);
    }
  },
};

export const RETRACT_OFFICER_EVENT: OfficerDecision<{ eventId: string; reason: string }> = {
  event: ({ eventId, reason }) => ({ type: 'EventRetracted', data: { retractedEventId: eventId, reason } }),
  check: (officer, _agency, { eventId }, { officerId }) => checkRetraction(officer, eventId, `officer ${officerId}`),
};
