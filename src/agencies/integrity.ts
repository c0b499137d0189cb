/**
 * Slice: prove the agency's records were not altered (GET /agencies/:agencyId/integrity; SPEC
 * §6). Runs the one ledger verification (src/ledger/ledger-verifier.ts: every chain including
 * `access`, heads, rosters, positions, the Merkle tree against the store's head and the latest
 * signed checkpoint, the read models) over the whole store, since the tree commits to all of
 * it. A break in another agency's records is reported without naming them.
 */
import { Controller, Get, Param } from '@nestjs/common';
import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import type { Checkpoint } from '../../events/checkpoint';
import { parseStream } from '../../events/streams';
import { Roles } from '../auth/roles.decorator';
import { AgencyPath } from '../common/paths';
import { IntegrityMonitor } from '../ledger/integrity-monitor';
import type { LedgerReport } from '../ledger/ledger-verifier';

export class VerifyAgencyQuery {
  constructor(
    readonly agencyId: string,
    /** Checkpoints kept elsewhere (their signatures already verified) that the log must also extend. */
    readonly extra: (Checkpoint & { issuedAt?: string })[] = [],
  ) {}
}

/** The report as one agency may see it: another agency's stream, revision and event are not named. */
export function reportFor(agencyId: string, report: LedgerReport): LedgerReport {
  const broken = report.firstBroken;
  if (!broken) return report;
  const owner = parseStream(broken.stream);
  if (!owner || owner.kind === 'access' || owner.agencyId === agencyId) return report;
  return {
    ...report,
    firstBroken: { stream: '(another agency)', revision: -1, eventId: null, reason: "a record of another agency in this store failed verification; that agency's investigator or the store's administrator can see which" },
  };
}

@QueryHandler(VerifyAgencyQuery)
export class VerifyAgencyHandler implements IQueryHandler<VerifyAgencyQuery, LedgerReport> {
  constructor(private readonly integrity: IntegrityMonitor) {}

  async execute({ agencyId, extra }: VerifyAgencyQuery): Promise<LedgerReport> {
    return reportFor(agencyId, await this.integrity.verify({ witness: true, extra }));
  }
}

@Controller('agencies/:agencyId/integrity')
export class IntegrityController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('investigator', 'admin')
  integrity(@Param() path: AgencyPath): Promise<LedgerReport> {
    return this.queries.execute(new VerifyAgencyQuery(path.agencyId));
  }
}
