/**
 * Loads what the compliance engine reads (projections/input.ts): an officer's events and the
 * agency's events, upcast, with their recorded-at instants. From the read models when they hold
 * every committed event (after applying what is pending), else straight from the event store.
 * Either way the whole ledger is returned and the engine applies knownAt and retractions itself,
 * so both sources give the same answer for every (asOf, knownAt).
 */
import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { RecordedEvent } from '../../events/envelope';
import { agencyStream, officerStream, officerStreamPrefix } from '../../events/streams';
import type { OfficerLedger } from '../../projections';
import {
  AGENCY_SUMMARIES,
  AgencySummaryDoc,
  OFFICER_LEDGERS,
  officerLedgerKey,
  officerLedgerPrefix,
  OfficerLedgerDoc,
} from '../projections-runtime/ledger-projections';
import { ProjectionRunner } from '../projections-runtime/projection-runner';
import { READ_MODEL_STORE, type ReadModelStore } from '../projections-runtime/read-model-store.port';
import { EVENT_STORE, type EventStore } from '../store/event-store.port';
import { toLedgerEvent } from './ledger-event';

/** The officer's name as registered (the registration cannot be retracted). */
function officerName(events: RecordedEvent[]): string {
  const registration = events.find((e) => e.type === 'OfficerRegistered');
  return (registration?.data as { name?: string } | undefined)?.name ?? '';
}

const agencyNotFound = (agencyId: string) => new NotFoundException([`agency ${agencyId} is not registered`]);
const officerNotFound = (agencyId: string, officerId: string) =>
  new NotFoundException([`officer ${officerId} is not registered with agency ${agencyId}`]);

@Injectable()
export class LedgerReader {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
    private readonly runner: ProjectionRunner,
  ) {}

  /** One officer's ledger; 404 for an unknown agency or officer. */
  async officer(agencyId: string, officerId: string): Promise<OfficerLedger> {
    if (await this.runner.freshen()) {
      const agency = await this.readModels.get<AgencySummaryDoc>(AGENCY_SUMMARIES.name, agencyId);
      if (!agency) throw agencyNotFound(agencyId);
      const doc = await this.readModels.get<OfficerLedgerDoc>(OFFICER_LEDGERS.name, officerLedgerKey(agencyId, officerId));
      if (!doc) throw officerNotFound(agencyId, officerId);
      return { officerId, name: doc.name, officerEvents: doc.events, agencyEvents: agency.events };
    }
    const agencyEvents = (await this.agencyStream(agencyId)).map(toLedgerEvent);
    const stored = await this.officerStream(agencyId, officerId);
    return { officerId, name: officerName(stored), officerEvents: stored.map(toLedgerEvent), agencyEvents };
  }

  /** Every officer of the agency, in officerId order. */
  async agency(agencyId: string): Promise<OfficerLedger[]> {
    if (await this.runner.freshen()) {
      const agency = await this.readModels.get<AgencySummaryDoc>(AGENCY_SUMMARIES.name, agencyId);
      if (!agency) throw agencyNotFound(agencyId);
      const docs = await this.readModels.getByPrefix<OfficerLedgerDoc>(OFFICER_LEDGERS.name, officerLedgerPrefix(agencyId));
      return docs.map((doc) => ({ officerId: doc.officerId, name: doc.name, officerEvents: doc.events, agencyEvents: agency.events }));
    }
    const agencyEvents = (await this.agencyStream(agencyId)).map(toLedgerEvent);
    const prefix = officerStreamPrefix(agencyId);
    const ledgers: OfficerLedger[] = [];
    for (const head of await this.store.listStreams(prefix)) {
      const stored = await this.store.readStream(head.stream);
      ledgers.push({ officerId: head.stream.slice(prefix.length), name: officerName(stored), officerEvents: stored.map(toLedgerEvent), agencyEvents });
    }
    return ledgers;
  }

  /** The agency's stream as stored; 404 when the agency is not registered. */
  async agencyStream(agencyId: string): Promise<RecordedEvent[]> {
    const events = await this.store.readStream(agencyStream(agencyId));
    if (events.length === 0) throw agencyNotFound(agencyId);
    return events;
  }

  /** The officer's stream as stored (with its hash chain); 404 when unknown. */
  async officerStream(agencyId: string, officerId: string): Promise<RecordedEvent[]> {
    await this.agencyStream(agencyId);
    const stored = await this.store.readStream(officerStream(agencyId, officerId));
    if (stored.length === 0) throw officerNotFound(agencyId, officerId);
    return stored;
  }
}

/** True when the officer's registration was recorded at or before `knownAt`. */
export function knownBy(ledger: OfficerLedger, knownAt: string): boolean {
  const registration = ledger.officerEvents.find((e) => e.type === 'OfficerRegistered');
  return registration !== undefined && Date.parse(registration.recordedAt) <= Date.parse(knownAt);
}
