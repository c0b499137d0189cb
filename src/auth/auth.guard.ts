/**
 * The global guard (SPEC §4): 401 without a valid bearer token, 403 for a role the route does
 * not allow or for another agency's path. The grant is attached to the request for
 * `recordedBy` and the agency binding.
 */
import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Role } from '../../events/access';
import { AccessRegistry, Grant } from './access-registry';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator';

export interface AuthenticatedRequest extends Request {
  grant?: Grant;
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: AccessRegistry,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match) throw new UnauthorizedException(['Authorization: a bearer token is required (Authorization: Bearer <token>)']);
    const grant = await this.access.authenticate(match[1]);
    if (!grant) throw new UnauthorizedException(['Authorization: the token is unknown or revoked']);
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
}
