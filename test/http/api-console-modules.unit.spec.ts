/**
 * The API and the console are two Nest modules, each with its own guard and error filter
 * (docs/decisions.md W45): every API controller carries the bearer guard and the JSON filter and
 * nothing of the console; every console page carries the console's filter and never the bearer
 * guard or the JSON filter; a request that reached no route goes by its path (edge filter).
 */
import type { DynamicModule, Type } from '@nestjs/common';
import { EXCEPTION_FILTERS_METADATA, GUARDS_METADATA } from '@nestjs/common/constants';
import { ApiModule } from '../../src/api.module';
import { AppModule } from '../../src/app.module';
import { AuthGuard } from '../../src/auth/auth.guard';
import { HttpErrorsFilter } from '../../src/common/http-errors.filter';
import { CONSOLE_CONTROLLERS, ConsoleErrorsFilter, ConsoleModule } from '../../src/console';
import { ConsoleGuard } from '../../src/console/console.guard';

const filtersOf = (c: Type) => (Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, c) ?? []) as unknown[];
const guardsOf = (c: Type) => (Reflect.getMetadata(GUARDS_METADATA, c) ?? []) as unknown[];

describe('the API and the console, two modules (docs/decisions.md W45)', () => {
  const app = AppModule.register({ store: 'memory:' });
  const imported = (app.imports ?? []) as DynamicModule[];
  const api = imported.find((m) => m.module === ApiModule);
  const consoleModule = imported.find((m) => m.module === ConsoleModule);

  it('the app module imports one API module and one console module, and has no controller of its own', () => {
    expect(api).toBeDefined();
    expect(consoleModule).toBeDefined();
    expect(app.controllers ?? []).toEqual([]);
    expect(consoleModule!.controllers).toEqual(CONSOLE_CONTROLLERS);
  });

  it('every API controller has the bearer guard and the JSON error filter, nothing of the console', () => {
    expect(api!.controllers!.length).toBeGreaterThan(10);
    for (const controller of api!.controllers!) {
      expect([controller.name, filtersOf(controller)]).toEqual([controller.name, [HttpErrorsFilter]]);
      expect(guardsOf(controller)).toContain(AuthGuard);
      expect(guardsOf(controller)).not.toContain(ConsoleGuard);
    }
  });

  it('every console page has the console error filter, never the bearer guard or the JSON filter', () => {
    for (const controller of CONSOLE_CONTROLLERS) {
      expect([controller.name, filtersOf(controller)]).toEqual([controller.name, [ConsoleErrorsFilter]]);
      expect(guardsOf(controller)).not.toContain(AuthGuard);
    }
    const apiControllers = new Set(api!.controllers);
    for (const controller of CONSOLE_CONTROLLERS) expect(apiControllers.has(controller)).toBe(false);
  });
});
