/**
 * The write side's view of a stream: just enough state to check a command's invariants
 * (docs/reference.md#records-and-events) before it appends. Pure folds over a stream's events;
 * retracted events are left out.
 */
import type { DomainEvent, LocalDate } from '../../events/catalogue';
import type { RecordedEvent } from '../../events/envelope';
import { upcast } from '../../events/upcasters';

export interface LiveEvent {
  eventId: string;
  event: DomainEvent;
}

interface StreamModel {
  /** Revision of the last event, or -1 when the stream does not exist. */
  revision: number;
  /** Events not retracted, by id. */
  live: Map<string, DomainEvent>;
  /** Ids of retracted events. */
  retracted: Set<string>;
}

function foldStream(events: RecordedEvent[]): StreamModel & { ordered: LiveEvent[] } {
  const domain = events.map((e) => ({ eventId: e.eventId, event: upcast(e) }));
  const retracted = new Set<string>();
  for (const { event } of domain) if (event.type === 'EventRetracted') retracted.add(event.data.retractedEventId);
  const ordered = domain.filter(({ eventId }) => !retracted.has(eventId));
  return {
    revision: events.length ? events[events.length - 1].revision : -1,
    live: new Map(ordered.map(({ eventId, event }) => [eventId, event])),
    retracted,
    ordered,
  };
}

export interface AgencyModel extends StreamModel {
  name?: string;
  /** Adopted, not retracted policy versions. */
  policies: Map<string, { adoptedOn: LocalDate; eventId: string }>;
  /** SRO contracts recorded and not retracted; endedOn once an SroContractEnded (not retracted) exists. */
  contracts: Map<string, { effectiveFrom: LocalDate; effectiveTo?: LocalDate; endedOn?: LocalDate }>;
}

function agencyStep(model: AgencyModel, eventId: string, event: DomainEvent): void {
  if (event.type === 'AgencyRegistered') model.name = event.data.name;
  if (event.type === 'SroPolicyAdopted') model.policies.set(event.data.version, { adoptedOn: event.data.adoptedOn, eventId });
  if (event.type === 'SroContractRecorded' && !model.contracts.has(event.data.contractId)) {
    model.contracts.set(event.data.contractId, { effectiveFrom: event.data.effectiveFrom, ...(event.data.effectiveTo ? { effectiveTo: event.data.effectiveTo } : {}) });
  }
  if (event.type === 'SroContractAmended') {
    const contract = model.contracts.get(event.data.contractId);
    if (contract && event.data.effectiveTo) contract.effectiveTo = event.data.effectiveTo;
  }
  if (event.type === 'SroContractEnded') {
    const contract = model.contracts.get(event.data.contractId);
    if (contract) contract.endedOn = event.data.endedOn;
  }
}

export function foldAgency(events: RecordedEvent[]): AgencyModel {
  const { ordered, ...stream } = foldStream(events);
  const model: AgencyModel = { ...stream, policies: new Map(), contracts: new Map() };
  for (const { eventId, event } of ordered) agencyStep(model, eventId, event);
  return model;
}

export interface OfficerModel extends StreamModel {
  /** Assignments recorded and not retracted; endDate once an AssignmentEnded (not retracted) exists. */
  assignments: Map<string, { startDate: LocalDate; endDate?: LocalDate }>;
  /** Trainings recorded and not retracted. */
  trainings: Map<string, { completedOn: LocalDate }>;
  /** The name and license number as registered and corrected (corrections not retracted). */
  name?: string;
  licenseNumber?: string;
  /** The separation not retracted, if any. */
  separatedOn?: LocalDate;
}

function officerStep(model: OfficerModel, event: DomainEvent): void {
  if (event.type === 'OfficerRegistered' || event.type === 'OfficerDetailsCorrected') {
    if (event.data.name !== undefined) model.name = event.data.name;
    if (event.data.licenseNumber !== undefined) model.licenseNumber = event.data.licenseNumber;
  }
  if (event.type === 'OfficerSeparated' && model.separatedOn === undefined) model.separatedOn = event.data.separatedOn;
  if (event.type === 'OfficerAssigned') model.assignments.set(event.data.assignmentId, { startDate: event.data.startDate });
  if (event.type === 'AssignmentEnded') {
    const assignment = model.assignments.get(event.data.assignmentId);
    if (assignment) assignment.endDate = event.data.endDate;
  }
  if (event.type === 'TrainingCompleted') model.trainings.set(event.data.trainingId, { completedOn: event.data.completedOn });
}

export function foldOfficer(events: RecordedEvent[]): OfficerModel {
  const { ordered, ...stream } = foldStream(events);
  const model: OfficerModel = { ...stream, assignments: new Map(), trainings: new Map() };
  for (const { event } of ordered) officerStep(model, event);
  return model;
}

/**
 * Incremental folds, for writers that append many events to one stream without re-reading it
 * (the bulk import): `applyToX(fold(events), next)` equals `fold([...events, next])` whenever
 * `next` is an event the write side accepts (a retraction only names an earlier, live event).
 */
export function applyToOfficer(model: OfficerModel, revision: number, eventId: string, event: DomainEvent): void {
  model.revision = revision;
  model.live.set(eventId, event);
  if (event.type !== 'EventRetracted') return officerStep(model, event);
  retract(model, event.data.retractedEventId);
  model.assignments = new Map();
  model.trainings = new Map();
  model.name = undefined;
  model.licenseNumber = undefined;
  model.separatedOn = undefined;
  for (const live of model.live.values()) officerStep(model, live);
}

export function applyToAgency(model: AgencyModel, revision: number, eventId: string, event: DomainEvent): void {
  model.revision = revision;
  model.live.set(eventId, event);
  if (event.type !== 'EventRetracted') return agencyStep(model, eventId, event);
  retract(model, event.data.retractedEventId);
  model.policies = new Map();
  model.contracts = new Map();
  for (const [id, live] of model.live) agencyStep(model, id, live);
}

function retract(model: StreamModel, eventId: string): void {
  model.retracted.add(eventId);
  model.live.delete(eventId);
}
