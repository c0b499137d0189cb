/**
 * The controllers an app module declares, its own and its imported modules' (the API's and the
 * console's, src/api.module.ts and src/console/index.ts, docs/decisions.md W45), in order.
 */
import type { DynamicModule } from '@nestjs/common';

export function controllersOf(module: DynamicModule): Function[] {
  const imported = ((module.imports ?? []) as unknown[]).filter((m): m is DynamicModule => typeof m === 'object' && m !== null && 'module' in m);
  return [...((module.controllers ?? []) as Function[]), ...imported.flatMap(controllersOf)];
}
