/** One event of a timeline in plain words ("Completed the Minnesota SRO basic course on 15 August 2025"). */
import { dateInWords, instantInWords } from './time-words';

/** What the words of a fact need of a recorded event (a history entry has it). */
export interface FactLike {
  eventId: string;
  type: string;
  data: unknown;
  effectiveDate: string | null;
  recordedAt: string;
}

/** Finds another event of the same record by id, to name it (a retraction names what it retracted). */
export type FactLookup = (eventId: string) => FactLike | undefined;

export const COURSE_WORDS: Record<string, string> = {
  MN_SRO_BASIC: 'the Minnesota SRO basic course',
  MN_SRO_SUPPLEMENTAL: 'the Minnesota SRO supplemental course',
  MN_SRO_REFRESHER: 'the Minnesota SRO refresher course',
  SSC_BASIC: 'the School Safety Center basic SRO training',
  NASRO_BASIC: 'the NASRO basic SRO course',
};

const d = (value: unknown): string => (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? dateInWords(value) : String(value ?? ''));
const list = (value: unknown): string => (Array.isArray(value) ? value.join(', ') : String(value ?? ''));

/** A title for the event type ("Training completed"). */
export function eventTitle(type: string): string {
  const spaced = type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().replace(/\bsro\b/g, 'SRO');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/**
 * A fact named for a person, never by its id (docs/decisions.md W36): its type in words, the
 * officer when given, its effective date (or when it was recorded, for facts without one) and
 * what it says: "Training completed for Avery Quinn (o-1), effective 11 September 2025: Completed …".
 */
export function factInWords(fact: FactLike, options: { officer?: string; lookup?: FactLookup } = {}): string {
  const when = fact.effectiveDate ? `effective ${dateInWords(fact.effectiveDate)}` : `recorded ${instantInWords(fact.recordedAt)}`;
  return `${eventTitle(fact.type)}${options.officer ? ` for ${options.officer}` : ''}, ${when}: ${describeEvent(fact.type, fact.data, options.lookup)}`;
}

export function describeEvent(type: string, data: unknown, lookup?: FactLookup): string {
  const v = (data ?? {}) as Record<string, unknown>;
  switch (type) {
    case 'AgencyRegistered':
      return `Agency ${v.name} (${v.agencyId}) registered`;
    case 'OfficerRegistered':
      return `Registered ${v.name}${v.licenseNumber ? `, POST license ${v.licenseNumber}` : ''}`;
    case 'OfficerAssigned':
      return `Assigned as SRO to ${list(v.schools)} from ${d(v.startDate)} (assignment ${v.assignmentId})`;
    case 'AssignmentEnded':
      return `Assignment ${v.assignmentId} ended on ${d(v.endDate)}`;
    case 'TrainingUnavailableDeclared':
      return `Training declared unavailable for assignment ${v.assignmentId} on ${d(v.declaredOn)}: ${v.reason}`;
    case 'SubstituteDayServed':
      return `Served as a substitute SRO at ${v.school} on ${d(v.date)}`;
    case 'TrainingCompleted':
      return `Completed ${COURSE_WORDS[String(v.course)] ?? v.course} on ${d(v.completedOn)}${v.provider ? ` (provider ${v.provider})` : ''}${v.courseNumber ? `, POST course number ${v.courseNumber}` : ''} (training ${v.trainingId})`;
    case 'CertificateFiled':
      return `Certificate ${v.fileName} filed on ${d(v.filedOn)} for training ${v.trainingId} (SHA-256 ${String(v.sha256 ?? '').slice(0, 16)}…)`;
    case 'PolicyReviewed':
      return `Reviewed SRO policy version ${v.version} on ${d(v.reviewedOn)}`;
    case 'SroPolicyAdopted':
      return `Agency adopted SRO policy version ${v.version} on ${d(v.adoptedOn)}`;
    case 'SroContractRecorded':
      return `Contract ${v.contractId} with ${v.district} recorded, covering ${list(v.schools)} from ${d(v.effectiveFrom)}${v.effectiveTo ? ` to ${d(v.effectiveTo)}` : ''}`;
    case 'SroContractAmended':
      return `Contract ${v.contractId} amended from ${d(v.effectiveOn)}`;
    case 'SroContractEnded':
      return `Contract ${v.contractId} ended on ${d(v.endedOn)}`;
    case 'EventRetracted': {
      const target = lookup?.(String(v.retractedEventId));
      if (!target) return `Retracted a record not shown here (ID ${v.retractedEventId}): ${v.reason}`;
      const when = target.effectiveDate ? `effective ${dateInWords(target.effectiveDate)}` : `recorded ${instantInWords(target.recordedAt)}`;
      return `Retracted “${eventTitle(target.type)}, ${when}: ${describeEvent(target.type, target.data)}”, because: ${v.reason}`;
    }
    case 'ReminderNoticeSent': {
      const r = (v.recipient ?? {}) as Record<string, unknown>;
      const items = Array.isArray(v.items) ? (v.items as { officerId: string; rule: string; dueDate: string; daysLeft: number }[]) : [];
      return `Reminder digest e-mailed to ${r.name} (${r.email}, ${r.role}), accepted by the mail server as ${v.messageId}: ${items.map((i) => `${i.rule} for ${i.officerId} due ${d(i.dueDate)} (${i.daysLeft < 0 ? `${-i.daysLeft} days overdue` : i.daysLeft === 0 ? 'due that day' : `${i.daysLeft} days left`})`).join('; ')} (notice ${v.noticeId})`;
    }
    case 'ReminderNoticeFailed': {
      const r = (v.recipient ?? {}) as Record<string, unknown>;
      return `Reminder digest to ${r.name} (${r.email}) could not be sent after ${v.attempts} attempt(s): ${v.error} (notice ${v.noticeId})`;
    }
    case 'WitnessCheckpointSent':
      return `The ledger's signed checkpoint of ${v.treeSize} events (root ${v.rootHash}) e-mailed to witness ${v.name} (${v.email}), accepted by the mail server as ${v.messageId}`;
    case 'WitnessCheckpointFailed':
      return `The ledger's signed checkpoint of ${v.treeSize} events could not be e-mailed to witness ${v.name} (${v.email}) after ${v.attempts} attempt(s): ${v.error}`;
    case 'ReminderNoticeAcknowledged':
      return `Reminder notice ${v.noticeId} acknowledged by ${v.by}`;
    case 'OfficerDetailsCorrected':
      return `Details corrected${v.name ? `: name ${v.name}` : ''}${v.licenseNumber ? `${v.name ? ',' : ':'} license ${v.licenseNumber}` : ''} (${v.reason})`;
    case 'OfficerSeparated':
      return `Separated on ${d(v.separatedOn)}: ${v.reason === 'ENTERED_IN_ERROR' ? 'entered in error' : 'left the agency'}${v.note ? ` (${v.note})` : ''}`;
    default:
      return `${eventTitle(type)}: ${JSON.stringify(data)}`;
  }
}
