/**
 * report.json of an evidence packet, derived from events by the rules engine (projections/):
 * the packet's builder writes it from the events it puts in events.jsonl, and the offline
 * verifier derives it again from events.jsonl and compares (docs/decisions.md W64). Pure: events/
 * and projections/ only. An officer at a time (`addOfficer`), so the builder need not hold every
 * event of a 1,000-officer agency at once: what is kept is each officer's row.
 *
 * The officers' rows are those of GET /api/agencies/:agencyId/status (officerId, name, status,
 * restrictedDuties, findings), in officerId order, with the records they rest on added
 * (assignments, trainings with their certificates, policy reviews); the agency's findings, policy
 * versions and contracts are those of the agency's stream.
 */
import type { RecordedEvent } from '../../../events/envelope';
import { upcast } from '../../../events/upcasters';
import {
  agencyFindingsOn,
  agencyRecordsKnownAt,
  agencyStatusFromFacts,
  factsKnownAt,
  officerOnDay,
  STATUSES,
  type AgencyFinding,
  type Contract,
  type Finding,
  type LedgerEvent,
  type OfficerOnDay,
  type Status,
} from '../../../projections';
import { certificatePath } from './packet-format';

export interface ReportCertificate {
  eventId: string;
  filedOn: string;
  sha256: string;
  fileName: string;
  /** Where the PDF is in the packet; null when only its SHA-256 was recorded (the file is kept elsewhere). */
  file: string | null;
}

export interface ReportOfficer {
  officerId: string;
  name: string;
  status: Status;
  restrictedDuties: string[];
  findings: Finding[];
  assignments: { assignmentId: string; schools: string[]; startDate: string; endDate: string | null; eventId: string }[];
  trainings: { trainingId: string; course: string; completedOn: string; courseNumber?: string; eventId: string; certificates: ReportCertificate[] }[];
  reviews: { version: string; reviewedOn: string; eventId: string }[];
}

export interface EvidenceReport {
  agencyId: string;
  agencyName: string;
  asOf: string;
  knownAt: string;
  counts: Record<Status, number>;
  officers: ReportOfficer[];
  agencyFindings: AgencyFinding[];
  policies: { version: string; adoptedOn: string; modelRevision?: string; eventId: string }[];
  contracts: Contract[];
}

/** A stored event as the engine reads it (src/read-models/ledger-event.ts does the same for the server). */
const toLedgerEvent = (e: RecordedEvent): LedgerEvent => ({ eventId: e.eventId, type: e.type, data: upcast(e).data, recordedAt: e.recordedAt, recordedBy: e.recordedBy });

const byId = (a: { officerId: string }, b: { officerId: string }): number => (a.officerId < b.officerId ? -1 : a.officerId > b.officerId ? 1 : 0);

export class ReportDeriver {
  private readonly agencyEvents: LedgerEvent[];
  private readonly agencyName: string;
  private readonly rows: ReportOfficer[] = [];
  private readonly onDay: { officerId: string; day: OfficerOnDay | null }[] = [];

  /** `agencyStream`: the agency's own stream, as stored, in revision order. */
  constructor(
    private readonly agencyId: string,
    private readonly asOf: string,
    private readonly knownAt: string,
    agencyStream: readonly RecordedEvent[],
  ) {
    const known = agencyStream.filter((e) => Date.parse(e.recordedAt) <= Date.parse(knownAt));
    this.agencyEvents = known.map(toLedgerEvent);
    const registered = known.find((e) => e.type === 'AgencyRegistered');
    this.agencyName = (registered?.data as { name?: string } | undefined)?.name ?? agencyId;
  }

  /** One officer's stream, as stored, in revision order (an officer registered after knownAt adds nothing). */
  addOfficer(officerId: string, stream: readonly RecordedEvent[]): void {
    const registration = stream.find((e) => e.type === 'OfficerRegistered');
    if (!registration || Date.parse(registration.recordedAt) > Date.parse(this.knownAt)) return;
    const name = (registration.data as { name?: string }).name ?? '';
    const facts = factsKnownAt({ officerId, name, officerEvents: stream.map(toLedgerEvent), agencyEvents: this.agencyEvents }, this.knownAt);
    this.onDay.push({ officerId, day: officerOnDay(facts, this.asOf) });
    const [row] = agencyStatusFromFacts([facts], this.asOf).officers;
    if (!row) return; // separated on or before asOf: off the report, as on the API's
    const filings = new Map(stream.filter((e) => e.type === 'CertificateFiled').map((e) => [e.eventId, upcast(e).data as { sha256: string; fileName: string; fileStored?: boolean }]));
    this.rows.push({
      officerId: row.officerId,
      name: row.name,
      status: row.status,
      restrictedDuties: row.restrictedDuties,
      findings: row.findings,
      assignments: facts.assignments.map((a) => ({ assignmentId: a.assignmentId, schools: a.schools, startDate: a.startDate, endDate: a.endDate, eventId: a.assignedEventId })),
      trainings: facts.trainings.map((t) => ({
        trainingId: t.trainingId,
        course: t.course,
        completedOn: t.completedOn,
        ...(t.courseNumber ? { courseNumber: t.courseNumber } : {}),
        eventId: t.eventId,
        certificates: t.certificates.map((c) => {
          const filed = filings.get(c.eventId);
          return { eventId: c.eventId, filedOn: c.filedOn, sha256: filed?.sha256 ?? '', fileName: filed?.fileName ?? '', file: filed?.fileStored ? certificatePath(c.eventId) : null };
        }),
      })),
      reviews: facts.reviews.map((r) => ({ version: r.version, reviewedOn: r.reviewedOn, eventId: r.eventId })),
    });
  }

  /** The report, officers in officerId order (as the API's pages give them). */
  finish(): EvidenceReport {
    const rows = [...this.rows].sort(byId);
    const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
    for (const row of rows) counts[row.status]++;
    const records = agencyRecordsKnownAt(this.agencyEvents, this.knownAt);
    const onDay = [...this.onDay].sort(byId).map((o) => o.day);
    return {
      agencyId: this.agencyId,
      agencyName: this.agencyName,
      asOf: this.asOf,
      knownAt: this.knownAt,
      counts,
      officers: rows,
      agencyFindings: agencyFindingsOn(records, onDay, this.asOf),
      policies: records.policies.map((p) => ({ version: p.version, adoptedOn: p.adoptedOn, ...(p.modelRevision ? { modelRevision: p.modelRevision } : {}), eventId: p.eventId })),
      contracts: records.contracts,
    };
  }
}
