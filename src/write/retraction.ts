/**
 * Invariants of a retraction (SPEC §2): it names an event of the same stream that exists and is
 * not already retracted. Registrations and retractions themselves cannot be retracted: a
 * registration is the stream's identity, and a retraction's mistake is corrected by recording
 * the fact again.
 */
import { BadRequestException, ConflictException } from '@nestjs/common';
import type { EventType } from '../../events/catalogue';

const NOT_RETRACTABLE: readonly EventType[] = ['AgencyRegistered', 'OfficerRegistered', 'EventRetracted'];

export function checkRetraction(
  stream: { live: Map<string, { type: EventType }>; retracted: Set<string> },
  eventId: string,
  whose: string,
): void {
  if (stream.retracted.has(eventId)) throw new ConflictException([`eventId: event ${eventId} is already retracted`]);
  const target = stream.live.get(eventId);
  if (!target) throw new BadRequestException([`eventId: ${whose} has no event ${eventId}`]);
  if (NOT_RETRACTABLE.includes(target.type)) {
    throw new BadRequestException([`eventId: a ${target.type} event cannot be retracted; record a corrected fact instead`]);
  }
}
