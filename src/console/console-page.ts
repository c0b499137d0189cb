/**
 * A console page declared once (docs/decisions.md W45): `@ConsoleController(path)` is a controller
 * of pages behind the console guard (sessions, CSRF, roles: console.guard.ts), and
 * `@ConsolePage({ path, roles, nav })` a page of it: its route (GET), the roles that may open it
 * and, if it is in the main navigation, its entry. The navigation (layout.tsx) is derived from
 * these declarations, so a link is shown to exactly the roles the page lets in.
 */
import { applyDecorators, Controller, Get, UseGuards } from '@nestjs/common';
import type { Role } from '../../events/access';
import { ConsoleGuard, ConsoleRoles } from './console.guard';
import { declareNavEntry, type NavEntry } from './nav';

/** A controller of console pages: behind the console guard, outside the API's prefix and guard. */
export const ConsoleController = (path = ''): ClassDecorator => applyDecorators(Controller(path), UseGuards(ConsoleGuard));

/**
 * A page (GET `path` under its controller's) that `roles` may open; `nav`, if given, puts it in
 * the main navigation at `href` for the same roles.
 */
export function ConsolePage(page: { path?: string; roles: readonly Role[]; nav?: Omit<NavEntry, 'roles'> }): MethodDecorator {
  if (page.nav) declareNavEntry({ ...page.nav, roles: page.roles });
  return applyDecorators(Get(page.path ?? ''), ConsoleRoles(...page.roles));
}
