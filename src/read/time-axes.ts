/**
 * The two time axes every query takes (docs/reference.md#time): `asOf`, a Minnesota calendar date
 * (default: today in America/Chicago) and `knownAt`, an instant (default: now). Resolved once per
 * request.
 *
 * A `knownAt` after now is a 400 (docs/decisions.md W12): what the records say at a future
 * instant is not known yet, and the same question asked later could get another answer. A
 * client clock up to KNOWN_AT_CLOCK_SKEW_MS ahead is tolerated: such a knownAt is answered as
 * of the server's now, and that instant is echoed, so the answer can be reproduced from it.
 */
import { IsOptional } from 'class-validator';
import { localDateAt, MINNESOTA_TIME_ZONE } from '../../projections';
import { IsInstant, IsLocalDate } from '../common/validation';
import { Invalid } from '../write/refusals';

export class TimeAxesDto {
  @IsOptional() @IsLocalDate() asOf?: string;
  @IsOptional() @IsInstant() knownAt?: string;
}

export interface TimeAxes {
  asOf: string;
  knownAt: string;
}

/** How far ahead of the server's clock a knownAt may be (a client computing "now" on a clock slightly ahead). */
export const KNOWN_AT_CLOCK_SKEW_MS = 5_000;

export function resolveTimeAxes(query: { asOf?: string; knownAt?: string }, now: Date = new Date()): TimeAxes {
  let knownAt = now.toISOString();
  if (query.knownAt) {
    const ms = Date.parse(query.knownAt);
    if (ms > now.getTime() + KNOWN_AT_CLOCK_SKEW_MS) {
      throw new Invalid([`knownAt must not be after now (${knownAt}): the records as known at a future instant are not known yet`]);
    }
    // knownAt is echoed in UTC (2026-03-01T23:59:59.999-06:00 becomes 2026-03-02T05:59:59.999Z): the same instant, one
    // notation; one within the tolerated skew ahead is answered, and echoed, as now.
    if (ms <= now.getTime()) knownAt = new Date(ms).toISOString();
  }
  return { asOf: query.asOf ?? localDateAt(now, MINNESOTA_TIME_ZONE), knownAt };
}
