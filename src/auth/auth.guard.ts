/**
 * The global guard (docs/reference.md#http-api): 401 without a valid bearer token, 403 for a role
 * the route does not allow or for another agency's path. The grant is attached to the request for
 * `recordedBy` and the agency binding.
 *
 * A failed authentication (no token, or an unknown or revoked one) is logged as one warning
 * line naming the route and the source address, never the token, and counted per source
 * address (@nestjs/throttler's storage; IPv6 addresses by /64): past the limit (default 20 per
 * 60 s, config.ts authFailureLimit) that address's failures are answered 429 with Retry-After
 * for one window, and only the first of them is logged. A valid token keeps working from a
 * blocked address, so a neighbour behind the same NAT cannot lock an admin out (decisions W13).
 * While the store does not verify, every token is refused with 503 (authentication-gate.ts).
 */
import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectThrottlerOptions, InjectThrottlerStorage, normalizeIp, ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import type { Role } from '../../events/access';
import { LoggedClientError } from '../common/http-errors.filter';
import { AccessRegistry, Grant } from './access-registry';
import { AuthenticationGate } from './authentication-gate';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator';

export interface AuthenticatedRequest extends Request {
  grant?: Grant;
}

/** The name of the ThrottlerModule entry that holds the failed-authentication limit (app.module.ts). */
export const AUTH_FAILURES = 'auth-failures';

/** How many blocked addresses are remembered as already logged (bounded; cleared of expired blocks when full). */
const MAX_LOGGED_BLOCKS = 10_000;

@Injectable()
export class AuthGuard implements CanActivate {
  private readonly limit: number;
  private readonly windowMs: number;
  /** Blocked address → when its block ends: its first 429 is logged, the rest are not. */
  private readonly loggedBlocks = new Map<string, number>();

  constructor(
    private readonly reflector: Reflector,
    private readonly access: AccessRegistry,
    private readonly gate: AuthenticationGate,
    @InjectThrottlerStorage() private readonly failures: ThrottlerStorage,
    @InjectThrottlerOptions() throttlerOptions: ThrottlerModuleOptions,
  ) {
    const throttlers = Array.isArray(throttlerOptions) ? throttlerOptions : throttlerOptions.throttlers;
    const entry = throttlers.find((t) => t.name === AUTH_FAILURES);
    if (!entry || typeof entry.limit !== 'number' || typeof entry.ttl !== 'number') throw new Error(`ThrottlerModule needs a numeric "${AUTH_FAILURES}" entry`);
    this.limit = entry.limit;
    this.windowMs = entry.ttl;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    // A store that does not verify: every token refused with 503 and the reason (authentication-gate.ts).
    await this.gate.check();
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match) return this.failed(context, 'Authorization: a bearer token is required (Authorization: Bearer <token>)');
    const grant = await this.access.authenticate(match[1]);
    if (!grant) return this.failed(context, 'Authorization: the token is unknown or revoked');
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? [];
    if (!roles.includes(grant.role)) {
      throw new ForbiddenException([`role ${grant.role} may not use this route (allowed: ${roles.join(', ') || 'none'})`]);
    }
    const agencyId = request.params?.agencyId;
    if (agencyId !== undefined && agencyId !== grant.agencyId) {
      throw new ForbiddenException([`this token is bound to agency ${grant.agencyId}, not ${agencyId}`]);
    }
    request.grant = grant;
    return true;
  }

  /** Counts the failure for the source address: 401, or 429 with Retry-After once past the limit. Logged by the filter. */
  private async failed(context: ExecutionContext, message: string): Promise<never> {
    const request = context.switchToHttp().getRequest<Request>();
    const address = normalizeIp(request.ip ?? request.socket?.remoteAddress ?? 'unknown');
    const { isBlocked, timeToBlockExpire } = await this.failures.increment(`${AUTH_FAILURES}:${address}`, this.windowMs, this.limit, this.windowMs, AUTH_FAILURES);
    if (!isBlocked) throw new LoggedClientError(401, [message]);
    const seconds = Math.max(1, timeToBlockExpire);
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(seconds));
    throw new LoggedClientError(
      429,
      [`too many failed authentications from this address: retry after ${seconds} seconds (a valid token is still accepted)`],
      this.firstOfBlock(address, seconds),
    );
  }

  private firstOfBlock(address: string, seconds: number): boolean {
    const now = Date.now();
    const until = this.loggedBlocks.get(address);
    if (until !== undefined && until > now) return false;
    if (this.loggedBlocks.size >= MAX_LOGGED_BLOCKS) {
      for (const [key, end] of this.loggedBlocks) if (end <= now) this.loggedBlocks.delete(key);
      if (this.loggedBlocks.size >= MAX_LOGGED_BLOCKS) this.loggedBlocks.clear();
    }
    this.loggedBlocks.set(address, now + seconds * 1000);
    return true;
  }
}
