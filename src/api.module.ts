/**
 * The JSON API under /api as one Nest module (docs/reference.md#http-api; docs/decisions.md W45):
 * the slices' controllers, each given here, once, the API's guard (src/auth/auth.guard.ts: the
 * bearer token, the roles, the agency) and the API's error filter (src/common/http-errors.filter.ts,
 * docs/reference.md#errors). A request under /api never reaches the console's guard or filter.
 * The services the controllers use are the app module's (src/app.module.ts).
 */
import { DynamicModule, Module, UseFilters, UseGuards, type Type } from '@nestjs/common';
import { AuthGuard } from './auth/auth.guard';
import { HttpErrorsFilter } from './common/http-errors.filter';

@Module({})
export class ApiModule {
  static register(controllers: Type[]): DynamicModule {
    for (const controller of controllers) {
      UseGuards(AuthGuard)(controller);
      UseFilters(HttpErrorsFilter)(controller);
    }
    return { module: ApiModule, controllers, providers: [AuthGuard] };
  }
}
