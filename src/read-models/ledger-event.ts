/** A stored event as the compliance engine reads it: upcast, with its recorded-at instant and author. */
import type { RecordedEvent } from '../../events/envelope';
import { upcast } from '../../events/upcasters';
import type { LedgerEvent } from '../../projections';

export function toLedgerEvent(event: RecordedEvent): LedgerEvent {
  return { eventId: event.eventId, type: event.type, data: upcast(event).data, recordedAt: event.recordedAt, recordedBy: event.recordedBy };
}
