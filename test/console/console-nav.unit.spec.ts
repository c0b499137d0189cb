/**
 * The console's navigation is derived from the pages' declarations (src/console/console-page.ts,
 * docs/decisions.md W45): each role sees exactly the links it saw before (and, for every role, Your
 * sessions; for admins, Identity providers: docs/decisions.md W55, W56), and each link's roles are
 * the roles its page lets in (the console guard's metadata on that route).
 */
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import type { Role } from '../../events/access';
import { CONSOLE_CONTROLLERS, consoleRoutes } from '../../src/console';
import { navFor } from '../../src/console/nav';

/** The roles the console guard checks on the GET route at `href`. */
function rolesOfPage(href: string): Role[] | undefined {
  for (const controller of CONSOLE_CONTROLLERS) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '').replace(/^\/+|\/+$/g, '');
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = controller.prototype[name];
      if (name === 'constructor' || typeof handler !== 'function' || !Reflect.hasMetadata(PATH_METADATA, handler)) continue;
      if (Reflect.getMetadata(METHOD_METADATA, handler) !== RequestMethod.GET) continue;
      const sub = String(Reflect.getMetadata(PATH_METADATA, handler)).replace(/^\/+|\/+$/g, '');
      if (`/${[base, sub].filter(Boolean).join('/')}` !== href) continue;
      return Reflect.getMetadata('sro:console-roles', handler) ?? Reflect.getMetadata('sro:console-roles', controller);
    }
  }
  return undefined;
}

describe('the console navigation, from the pages (docs/decisions.md W45)', () => {
  it.each<[Role, string[]]>([
    ['admin', ['/ Dashboard', '/reminders Reminders', '/integrity Integrity', '/access-log Who read what', '/people People', '/identity-providers Identity providers', '/account/sessions Your sessions']],
    ['chief', ['/ Dashboard', '/reminders Reminders', '/account/sessions Your sessions']],
    ['auditor', ['/ Dashboard', '/account/sessions Your sessions']],
    ['investigator', ['/ Home', '/integrity Integrity', '/access-log Who read what', '/account/sessions Your sessions']],
  ])('%s sees the links of the pages it may open, in order', (role, links) => {
    expect(navFor(role).map((l) => `${l.href} ${l.label}`)).toEqual(links);
  });

  it('every link is shown to exactly the roles its page lets in', () => {
    expect(consoleRoutes().length).toBeGreaterThan(10);
    const roles: Role[] = ['admin', 'chief', 'auditor', 'investigator'];
    const hrefs = new Set(roles.flatMap((r) => navFor(r).map((l) => l.href)));
    for (const href of hrefs) {
      const allowed = rolesOfPage(href);
      expect([href, [...(allowed ?? [])].sort()]).toEqual([href, roles.filter((r) => navFor(r).some((l) => l.href === href)).sort()]);
    }
  });
});
