/**
 * What the projections read: one officer's events and the agency's events, already upcast
 * (`data` matches `EventDataByType[type]` of ../events/catalogue), in stream (recorded) order.
 */
export interface LedgerEvent {
  eventId: string;
  type: string;
  /** Already upcast: matches events/catalogue.ts EventDataByType[type]. */
  data: unknown;
  /** ISO-8601 instant assigned by the store. */
  recordedAt: string;
  recordedBy: string;
}

export interface OfficerLedger {
  officerId: string;
  name: string;
  /** The officer's stream, in revision order. */
  officerEvents: LedgerEvent[];
  /** The agency's stream (policy adoptions, agency retractions), in revision order. */
  agencyEvents: LedgerEvent[];
}
