/**
 * Slice: prove the agency's records were not altered (GET /agencies/:agencyId/integrity; SPEC §6):
 * recompute the hash chain of the agency's stream, its roster and every officer stream, compare
 * each chain's end with the head the store recorded at append (a deleted tail is caught), and
 * check that every officer on the roster still has a stream (a whole deleted stream is caught).
 */
import { Controller, Get, Inject, Param } from '@nestjs/common';
import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { ChainVerifier, type IntegrityReport } from '../../events/integrity';
import { agencyStream, officerStreamPrefix, rosterStream } from '../../events/streams';
import { Roles } from '../auth/roles.decorator';
import { AgencyPath } from '../common/paths';
import { EVENT_STORE, type EventStore } from '../store/event-store.port';

export class VerifyAgencyQuery {
  constructor(readonly agencyId: string) {}
}

@QueryHandler(VerifyAgencyQuery)
export class VerifyAgencyHandler implements IQueryHandler<VerifyAgencyQuery, IntegrityReport> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ agencyId }: VerifyAgencyQuery): Promise<IntegrityReport> {
    const verifier = new ChainVerifier();
    const own = new Set([agencyStream(agencyId), rosterStream(agencyId)]);
    const heads = [
      ...(await this.store.listStreams(agencyStream(agencyId))).filter((h) => own.has(h.stream)),
      ...(await this.store.listStreams(rosterStream(agencyId))).filter((h) => own.has(h.stream)),
      ...(await this.store.listStreams(officerStreamPrefix(agencyId))),
    ];
    for (const head of heads) for (const event of await this.store.readStream(head.stream)) verifier.add(event);
    verifier.checkHeads(heads);
    return verifier.report();
  }
}

@Controller('agencies/:agencyId/integrity')
export class IntegrityController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('investigator', 'admin')
  integrity(@Param() path: AgencyPath): Promise<IntegrityReport> {
    return this.queries.execute(new VerifyAgencyQuery(path.agencyId));
  }
}
