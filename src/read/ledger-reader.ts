/**
 * Loads what the projections read (projections/input.ts) from the event store: one officer's
 * stream and the agency's stream, upcast, with their recorded-at instants. The projections
 * then apply knownAt and retractions themselves.
 */
import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { RecordedEvent } from '../../events/envelope';
import { agencyStream, officerStream, officerStreamPrefix } from '../../events/streams';
import { upcast } from '../../events/upcasters';
import type { LedgerEvent, OfficerLedger } from '../../projections';
import { EVENT_STORE, type EventStore } from '../store/event-store.port';

export function toLedgerEvent(event: RecordedEvent): LedgerEvent {
  return { eventId: event.eventId, type: event.type, data: upcast(event).data, recordedAt: event.recordedAt, recordedBy: event.recordedBy };
}

/** The officer's name as registered (the registration cannot be retracted). */
function officerName(events: RecordedEvent[]): string {
  const registration = events.find((e) => e.type === 'OfficerRegistered');
  return (registration?.data as { name?: string } | undefined)?.name ?? '';
}

@Injectable()
export class LedgerReader {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async agencyEvents(agencyId: string): Promise<RecordedEvent[]> {
    const events = await this.store.readStream(agencyStream(agencyId));
    if (events.length === 0) throw new NotFoundException([`agency ${agencyId} is not registered`]);
    return events;
  }

  /** One officer's ledger; 404 when the officer has no stream. */
  async officer(agencyId: string, officerId: string): Promise<{ ledger: OfficerLedger; stored: RecordedEvent[] }> {
    const agency = await this.agencyEvents(agencyId);
    const stored = await this.store.readStream(officerStream(agencyId, officerId));
    if (stored.length === 0) throw new NotFoundException([`officer ${officerId} is not registered with agency ${agencyId}`]);
    return {
      ledger: { officerId, name: officerName(stored), officerEvents: stored.map(toLedgerEvent), agencyEvents: agency.map(toLedgerEvent) },
      stored,
    };
  }

  /** Every officer of the agency, in officerId order. */
  async agency(agencyId: string): Promise<{ agency: RecordedEvent[]; officers: { officerId: string; stored: RecordedEvent[]; ledger: OfficerLedger }[] }> {
    const agency = await this.agencyEvents(agencyId);
    const agencyLedgerEvents = agency.map(toLedgerEvent);
    const prefix = officerStreamPrefix(agencyId);
    const heads = await this.store.listStreams(prefix);
    const officers = [];
    for (const head of heads) {
      const officerId = head.stream.slice(prefix.length);
      const stored = await this.store.readStream(head.stream);
      officers.push({
        officerId,
        stored,
        ledger: { officerId, name: officerName(stored), officerEvents: stored.map(toLedgerEvent), agencyEvents: agencyLedgerEvents },
      });
    }
    return { agency, officers };
  }
}

/** True when the officer's registration was recorded at or before `knownAt`. */
export function knownBy(ledger: OfficerLedger, knownAt: string): boolean {
  const registration = ledger.officerEvents.find((e) => e.type === 'OfficerRegistered');
  return registration !== undefined && Date.parse(registration.recordedAt) <= Date.parse(knownAt);
}
