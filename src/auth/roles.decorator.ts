/**
 * Route access declarations. Every route declares either @Roles(...) or @Public(); the guard
 * refuses a route that declares neither (fail closed).
 */
import { SetMetadata } from '@nestjs/common';
import type { Role } from '../../events/access';

export const ROLES_KEY = 'sro:roles';
export const PUBLIC_KEY = 'sro:public';

export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
export const Public = () => SetMetadata(PUBLIC_KEY, true);
