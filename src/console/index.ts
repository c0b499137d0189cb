/**
 * The web console (docs/reference.md#web-console; docs/decisions.md W20): server-rendered pages at
 * / for the people who use the product, beside the JSON API under /api. Its module (ConsoleModule,
 * what the app module imports), and the routes that the /api prefix leaves out (create-http-app.ts).
 */
import { Module, RequestMethod, UseFilters, type DynamicModule, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import type { RouteInfo } from '@nestjs/common/interfaces';
import type { Role } from '../../events/access';
import { MAX_CERTIFICATE_BYTES } from '../officers/certificate-file';
import { ConsoleGuard } from './console.guard';
import { ConsoleErrorsFilter } from './console-errors.filter';
import { MAX_IMPORT_BYTES } from './csv-import';
import { CONSOLE_OPTIONS, consoleOptionsFrom, type ConsoleOptions } from './console-options';
import { FirstRunSetup } from './first-run';
import { AccessLogPageController } from './pages/access-log';
import { AssetsController } from './pages/assets';
import { DashboardController } from './pages/dashboard';
import { EvidencePageController } from './pages/evidence';
import { PublicPageController } from '../public/public-page';
import { IntegrityPageController } from './pages/integrity';
import { OfficerPageController } from './pages/officer';
import { ImportPageController } from './pages/import';
import { PeoplePageController } from './pages/people';
import { RecordFormController } from './pages/record';
import { RemindersPageController } from './pages/reminders';
import { SetPasswordController } from './pages/set-password';
import { SignInController } from './pages/sign-in';
import { AccountPageController } from './pages/account';
import { CalendarFeedController } from './pages/calendar-feed';
import { NoticePageController } from './pages/notice';
import { ProviderSignInController } from './pages/provider-sign-in';
import { IdentityProvidersPageController } from './pages/identity-providers';
import { AccountSessionsController } from './pages/account-sessions';
import { SessionStore } from './sessions';
import { SignInLimits } from './sign-in-limits';

export const CONSOLE_CONTROLLERS: Type[] = [
  AssetsController,
  SignInController,
  SetPasswordController,
  DashboardController,
  AccessLogPageController,
  OfficerPageController,
  RemindersPageController,
  IntegrityPageController,
  PeoplePageController,
  RecordFormController,
  ImportPageController,
  AccountPageController,
  NoticePageController,
  CalendarFeedController,
  ProviderSignInController,
  IdentityProvidersPageController,
  AccountSessionsController,
  EvidencePageController,
  PublicPageController,
];

export function consoleProviders(overrides: Partial<ConsoleOptions> = {}) {
  return [{ provide: CONSOLE_OPTIONS, useValue: consoleOptionsFrom(process.env, overrides) }, SessionStore, SignInLimits, ConsoleGuard, FirstRunSetup];
}

/** Every console route (controller path + method path), for the global prefix's exclusions. */
export function consoleRoutes(): RouteInfo[] {
  const routes: RouteInfo[] = [];
  for (const controller of CONSOLE_CONTROLLERS) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '').replace(/^\/+|\/+$/g, '');
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = controller.prototype[name];
      if (name === 'constructor' || typeof handler !== 'function' || !Reflect.hasMetadata(PATH_METADATA, handler)) continue;
      const sub = String(Reflect.getMetadata(PATH_METADATA, handler)).replace(/^\/+|\/+$/g, '');
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod;
      routes.push({ path: `/${[base, sub].filter(Boolean).join('/')}`, method });
    }
  }
  return routes;
}

/**
 * Console forms that upload a file (multipart/form-data, parsed before the guard): the path, the
 * file's field, its largest size, and the roles of its page (the body is read only for them:
 * upload-gate.ts).
 */
export const UPLOAD_ROUTES: { path: RegExp; field: string; maxBytes: number; roles: readonly Role[] }[] = [
  { path: /^\/import\/check$/, field: 'file', maxBytes: MAX_IMPORT_BYTES, roles: ['admin'] },
  { path: /^\/officers\/[^/]+\/records\/certificate$/, field: 'file', maxBytes: MAX_CERTIFICATE_BYTES, roles: ['admin'] },
  { path: /^\/records\/record-contract$/, field: 'file', maxBytes: MAX_CERTIFICATE_BYTES, roles: ['admin'] },
];

export { FirstRunSetup, type ConsoleOptions };

for (const controller of CONSOLE_CONTROLLERS) UseFilters(ConsoleErrorsFilter)(controller);

/**
 * The web console as one Nest module (docs/decisions.md W45): its pages, sessions, sign-in limits,
 * first-run link and guard, and its own error filter (console-errors.filter.tsx), set above on
 * every page once: an error on a console page is answered as a page, never by the API's JSON
 * filter. The services it uses (accounts, the registry, the buses) are the app module's.
 */
@Module({})
export class ConsoleModule {
  static register(overrides: Partial<ConsoleOptions> = {}): DynamicModule {
    return { module: ConsoleModule, controllers: CONSOLE_CONTROLLERS, providers: consoleProviders(overrides), exports: [SessionStore, FirstRunSetup] };
  }
}

export { ConsoleErrorsFilter };
