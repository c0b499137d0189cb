/**
 * SRO_POLICY_ADOPTED (docs/reference.md "Agency findings"): an SRO policy version is in force on
 * D. MET once adopted (with a reminder when it follows an older POST Board model revision: not a
 * violation); VIOLATED while an officer serves as SRO or substitute SRO and none is adopted, due
 * the first of those officers' review due dates. Minn. Stat. 626.8482 subd. 6; Minn. R. 6700.1615.
 */
import type { AgencyRecords } from '../agency-records';
import { policyInForce } from '../context';
import type { LocalDate } from '../dates';
import { AGENCY_RULES_FROM } from '../interpretation';
import { LATEST_MODEL_REVISION } from '../law';
import { AGENCY_SUBJECT, agencyFinding, type AgencyAheadInput, type AgencyAheadItem, type AgencyFinding, type AgencyOutcome, type AgencyReminderItem, type OfficerOnDay } from './common';

export const id = 'SRO_POLICY_ADOPTED' as const;
export const citation = 'Minn. Stat. 626.8482 subd. 6; Minn. R. 6700.1615';
export const inForceFrom = AGENCY_RULES_FROM;

const finding = (outcome: AgencyOutcome, explanation: string, evidence: string[], dueDate?: LocalDate) => agencyFinding(id, citation, outcome, explanation, evidence, dueDate);

export function findingsOn(records: AgencyRecords, officers: OfficerOnDay[], day: LocalDate): AgencyFinding[] {
  const inRole = officers.filter((o) => o.inRole);
  const policy = policyInForce(records.policies, day);
  if (inRole.length === 0 && !policy) return [finding('NOT_APPLICABLE', `No SRO or substitute SRO of the agency on ${day}, and no SRO policy adopted by then.`, [])];
  if (!policy) {
    const due = inRole.map((o) => o.policyDueDate!).sort()[0];
    return [
      finding(
        'VIOLATED',
        `No SRO policy adopted by ${day}; ${inRole.length} officer(s) serve as SRO or substitute SRO on that day, the first of them due to review it by ${due}.`,
        [],
        due,
      ),
    ];
  }
  const adopted = `SRO policy version ${policy.version} (adopted ${policy.adoptedOn}) is in force on ${day}`;
  if (!policy.modelRevision) {
    return [finding('MET', `${adopted}; which POST Board model policy revision it follows was not recorded (the latest the product knows is ${LATEST_MODEL_REVISION}).`, [policy.eventId])];
  }
  if (policy.modelRevision < LATEST_MODEL_REVISION) {
    return [
      finding(
        'MET',
        `${adopted}, following the POST Board model policy revision of ${policy.modelRevision}, older than the latest the product knows (${LATEST_MODEL_REVISION}): ` +
          'a reminder to update it, not a violation (Minn. R. 6700.1615 asks for a policy identical or substantially similar to the model).',
        [policy.eventId],
      ),
    ];
  }
  return [finding('MET', `${adopted}, following the POST Board model policy revision of ${policy.modelRevision}.`, [policy.eventId])];
}

export const reminderKinds = ['POLICY_NOT_ADOPTED', 'POLICY_MODEL_REVISION'] as const;

export const violated = {
  kind: 'POLICY_NOT_ADOPTED',
  action: 'adopt an SRO policy (identical or substantially similar to the POST Board model policy) and have every SRO and substitute SRO review it',
} as const;

/** Ahead: the first duty day within the horizon with no policy adopted by then (when not violated already). */
export function remindersAhead({ records, now, dutyStarts, asOf }: AgencyAheadInput): AgencyAheadItem[] {
  const policyViolated = now.some((f) => f.rule === id && f.outcome === 'VIOLATED');
  const firstDuty = dutyStarts.filter((d): d is LocalDate => d !== null && d > asOf).sort()[0];
  if (policyViolated || firstDuty === undefined || policyInForce(records.policies, firstDuty)) return [];
  return [
    {
      finding: { rule: id, citation },
      kind: 'POLICY_NOT_ADOPTED',
      dueDate: firstDuty,
      text: `${violated.action}, by ${firstDuty}: on that day an officer serves as SRO and no SRO policy of the agency is adopted.`,
    },
  ];
}

/** The policy in force on asOf follows an older model revision (POLICY_MODEL_REVISION, due asOf: the rule sets no deadline). */
export function modelRevisionReminders(records: AgencyRecords, asOf: LocalDate): AgencyReminderItem[] {
  const policy = policyInForce(records.policies, asOf);
  if (!policy?.modelRevision || policy.modelRevision >= LATEST_MODEL_REVISION) return [];
  return [
    {
      officerId: null,
      rule: id,
      kind: 'POLICY_MODEL_REVISION',
      dueDate: asOf,
      daysLeft: 0,
      message:
        `SRO policy version ${policy.version} follows the POST Board model policy revision of ${policy.modelRevision}; the latest is ${LATEST_MODEL_REVISION}: ` +
        `review it against the model and adopt an updated version (a reminder, not a violation). (${citation})`,
      citation,
      scope: 'AGENCY',
      subject: AGENCY_SUBJECT,
    },
  ];
}
