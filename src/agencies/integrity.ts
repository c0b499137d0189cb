/**
 * Slice: prove the agency's records were not altered (GET /agencies/:agencyId/integrity;
 * docs/reference.md#integrity). Runs the one ledger verification (src/ledger/ledger-verifier.ts:
 * every chain including `access`, heads, rosters, positions, the Merkle tree against the store's
 * head and the latest signed checkpoint, the read models) over the whole store, since the tree
 * commits to all of it. A break in another agency's records is reported without naming them.
 *
 * The verification reads the whole store: each principal (a token, a person) may run one at a
 * time, and at most INTEGRITY_CALLS_PER_MINUTE a minute; more is answered 429 with Retry-After
 * (docs/decisions.md W40). Callers at the same time share one run (IntegrityMonitor).
 */
import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import type { Checkpoint } from '../../events/checkpoint';
import { parseStream } from '../../events/streams';
import { Roles } from '../auth/roles.decorator';
import { LoggedClientError } from '../common/http-errors.filter';
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

/** Verifications one principal may start in a minute (decisions W40). */
export const INTEGRITY_CALLS_PER_MINUTE = 6;

/** Who is running a verification, and when each principal started its recent ones. */
export class IntegrityLimits {
  private readonly running = new Set<string>();
  private readonly started = new Map<string, number[]>();

  /** Seconds to wait before `principal` may start another verification, or 0 (and it is counted as started). */
  enter(principal: string, now = Date.now()): number {
    const recent = (this.started.get(principal) ?? []).filter((at) => now - at < 60_000);
    if (this.running.has(principal)) return 5;
    if (recent.length >= INTEGRITY_CALLS_PER_MINUTE) return Math.max(1, Math.ceil((recent[0] + 60_000 - now) / 1000));
    recent.push(now);
    this.started.set(principal, recent);
    this.running.add(principal);
    // Principals not seen for a minute are forgotten: the map stays as small as the active callers.
    if (this.started.size > 1000) for (const [key, times] of this.started) if (!times.some((at) => now - at < 60_000)) this.started.delete(key);
    return 0;
  }

  leave(principal: string): void {
    this.running.delete(principal);
  }
}

type PrincipalRequest = Request & { grant?: { tokenId: string }; person?: { userId: string } };

@Controller('agencies/:agencyId/integrity')
export class IntegrityController {
  private readonly limits = new IntegrityLimits();

  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('investigator', 'admin')
  async integrity(@Param() path: AgencyPath, @Req() request: PrincipalRequest, @Res({ passthrough: true }) response: Response): Promise<LedgerReport> {
    const principal = request.grant ? `token:${request.grant.tokenId}` : request.person ? `person:${request.person.userId}` : `address:${request.ip}`;
    const wait = this.limits.enter(principal);
    if (wait > 0) {
      response.setHeader('Retry-After', String(wait));
      throw new LoggedClientError(
        429,
        [`a verification reads the whole store: one at a time and at most ${INTEGRITY_CALLS_PER_MINUTE} a minute for each token or person; try again in ${wait} seconds`],
        false,
      );
    }
    try {
      return await this.queries.execute(new VerifyAgencyQuery(path.agencyId));
    } finally {
      this.limits.leave(principal);
    }
  }
}
