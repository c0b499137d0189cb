/**
 * The two time axes every query takes (SPEC §1): `asOf`, a Minnesota calendar date (default:
 * today in America/Chicago) and `knownAt`, an instant (default: now). Resolved once per request.
 */
import { IsOptional } from 'class-validator';
import { localDateAt } from '../../projections';
import { IsInstant, IsLocalDate } from '../common/validation';

export class TimeAxesDto {
  @IsOptional() @IsLocalDate() asOf?: string;
  @IsOptional() @IsInstant() knownAt?: string;
}

export interface TimeAxes {
  asOf: string;
  knownAt: string;
}

export function resolveTimeAxes(query: { asOf?: string; knownAt?: string }, now: Date = new Date()): TimeAxes {
  // knownAt is echoed in UTC (2026-03-01T23:59:59.999-06:00 becomes 2026-03-02T05:59:59.999Z): the same instant, one notation.
  const knownAt = query.knownAt ? new Date(query.knownAt).toISOString() : now.toISOString();
  return { asOf: query.asOf ?? localDateAt(now, 'America/Chicago'), knownAt };
}
