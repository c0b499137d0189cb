/**
 * Slice: an officer's full record for the investigator (GET .../officers/:officerId/history?knownAt=;
 * docs/reference.md#get-apiagenciesagencyidofficersofficeridhistory): every event recorded at or
 * before knownAt with both time axes, who recorded it, whether and by which event it was retracted,
 * its place in the hash chain; and the officer's status intervals over effective time as known at
 * knownAt.
 */
import { toCsv } from '../common/csv';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { IsOptional } from 'class-validator';
import { officerHistory, type HistoryEntry, type StatusInterval } from '../../projections';
import { Roles } from '../auth/roles.decorator';
import { OfficerPath } from '../common/paths';
import { IsInstant } from '../common/validation';
import { toLedgerEvent } from '../read-models/ledger-event';
import { ledgerOf, LedgerReader } from '../read/ledger-reader';
import { resolveTimeAxes } from '../read/time-axes';

export class HistoryQueryDto {
  @IsOptional() @IsInstant() knownAt?: string;
}

export type HistoryEventView = HistoryEntry & {
  revision?: number;
  schemaVersion?: number;
  correlationId?: string;
  prevHash?: string;
  hash?: string;
};

export interface OfficerHistoryView {
  agencyId: string;
  officerId: string;
  name: string;
  knownAt: string;
  events: HistoryEventView[];
  statusIntervals: StatusInterval[];
}

/** The officer's history as CSV (CLI `history --csv`): one row per event, its data as JSON in one cell. */
export function officerHistoryCsv(view: OfficerHistoryView): string {
  return toCsv(
    ['officerId', 'eventId', 'type', 'effectiveDate', 'recordedAt', 'recordedBy', 'stream', 'retracted', 'retractedBy', 'data', 'knownAt'],
    view.events.map((e) => [view.officerId, e.eventId, e.type, e.effectiveDate ?? '', e.recordedAt, e.recordedBy, e.stream, e.retracted ? 'yes' : 'no', e.retractedBy ?? '', JSON.stringify(e.data), view.knownAt]),
  );
}

export class GetOfficerHistoryQuery {
  constructor(
    readonly agencyId: string,
    readonly officerId: string,
    readonly knownAt: string,
  ) {}
}

@QueryHandler(GetOfficerHistoryQuery)
export class GetOfficerHistoryHandler implements IQueryHandler<GetOfficerHistoryQuery, OfficerHistoryView> {
  constructor(private readonly reader: LedgerReader) {}

  async execute({ agencyId, officerId, knownAt }: GetOfficerHistoryQuery): Promise<OfficerHistoryView> {
    // The investigator's view is read from the event store itself, with each event's place in its hash chain.
    const stored = await this.reader.officerStream(agencyId, officerId);
    const agencyEvents = (await this.reader.agencyStream(agencyId)).map(toLedgerEvent);
    const ledger = ledgerOf(officerId, stored, agencyEvents);
    const { name, events, statusIntervals } = officerHistory(ledger, knownAt);
    const byId = new Map(stored.map((e) => [e.eventId, e]));
    const withChain = events.map((entry): HistoryEventView => {
      const own = byId.get(entry.eventId); // agency-wide events shown for context have their own chain
      return own
        ? { ...entry, revision: own.revision, schemaVersion: own.schemaVersion, correlationId: own.correlationId, prevHash: own.prevHash, hash: own.hash }
        : entry;
    });
    return { agencyId, officerId, name, knownAt, events: withChain, statusIntervals };
  }
}

@Controller('agencies/:agencyId/officers/:officerId/history')
export class OfficerHistoryController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('admin', 'auditor', 'investigator')
  history(@Param() path: OfficerPath, @Query() query: HistoryQueryDto): Promise<OfficerHistoryView> {
    return this.queries.execute(new GetOfficerHistoryQuery(path.agencyId, path.officerId, resolveTimeAxes(query).knownAt));
  }
}
