/**
 * The one list of writes (src/write-slices.ts, docs/decisions.md W41): each descriptor agrees with
 * its slice's own classes, and the app module's write controllers and handlers, and the import's
 * commands, are derived from it (nothing listed by hand beside it).
 */
import { PATH_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { COMMAND_HANDLER_METADATA } from '@nestjs/cqrs/dist/decorators/constants';
import { AppModule } from '../../src/app.module';
import { controllersOf } from '../support/app-controllers';
import { IMPORT_COMMANDS } from '../../src/import/bulk-import';
import { RECORD_FORMS } from '../../src/console/record-forms';
import { commandOf, isRouted, WRITE_SLICES } from '../../src/write-slices';

const app = AppModule.register({ store: 'memory:' });
const controllers = controllersOf(app);
const providers = (app.providers ?? []) as unknown[];

describe('the list of writes', () => {
  it('names each write once', () => {
    const names = WRITE_SLICES.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(WRITE_SLICES.map((s) => [s.name, s] as const))('%s: its route is its controller’s, with a POST, and its handler runs its command', (_name, slice) => {
    if ('route' in slice) {
      expect(Reflect.getMetadata(PATH_METADATA, slice.controller)).toBe(slice.route);
      const posts = Object.getOwnPropertyNames(slice.controller.prototype).filter((m) => Reflect.getMetadata(METHOD_METADATA, (slice.controller.prototype as unknown as Record<string, object>)[m]) === RequestMethod.POST);
      expect(posts.length).toBe(1);
      expect(controllers).toContain(slice.controller);
    }
    expect(Reflect.getMetadata(COMMAND_HANDLER_METADATA, slice.handler)).toBeDefined();
    expect(providers).toContain(slice.handler);
    for (const query of 'queries' in slice ? slice.queries : []) expect(providers).toContain(query);
  });

  it('the import takes exactly the writes a route takes, under their names', () => {
    expect(Object.keys(IMPORT_COMMANDS).sort()).toEqual(WRITE_SLICES.filter((s) => 'route' in s).map((s) => s.name).sort());
    for (const [name, spec] of Object.entries(IMPORT_COMMANDS)) expect(WRITE_SLICES.find((s) => s.name === name)).toBe(spec);
  });

  it('the app module lists every write controller once, after the health route and before the reads', () => {
    const routed = WRITE_SLICES.filter((s) => 'route' in s).map((s) => (s as { controller: Function }).controller);
    expect(controllers.slice(1, 1 + routed.length)).toEqual(routed);
    expect(new Set(controllers).size).toBe(controllers.length);
  });

  it.each(WRITE_SLICES.filter(isRouted).map((s) => [s.name, s] as const))('%s: commandOf builds its command as its route does (ctx, path fields in order, body)', (_name, slice) => {
    const ctx = { agencyId: 'a', recordedBy: 'r', correlationId: 'c' };
    const body = {};
    const path = { officerId: 'o1', assignmentId: 'as1', trainingId: 't1', contractId: 'c1' };
    const command = commandOf(slice, ctx, path, body) as Record<string, unknown>;
    expect(command).toBeInstanceOf(slice.command);
    expect(command.ctx).toBe(ctx);
    expect(command.body).toBe(body);
    for (const field of slice.pathFields) expect(command[field]).toBe(path[field]);
  });

  it('the console’s record forms take their DTO, path fields and command from the list', () => {
    for (const form of RECORD_FORMS) {
      const slice = WRITE_SLICES.filter(isRouted).find((s) => s.name === form.write);
      expect({ form: form.id, write: slice?.name }).toEqual({ form: form.id, write: form.write });
      expect(form.dto).toBe(slice!.dto);
      expect(form.pathFields ?? []).toEqual(slice!.pathFields.filter((f) => f !== 'officerId'));
      const values = Object.fromEntries((form.pathFields ?? []).map((f) => [f, `${f}-1`]));
      const command = form.command({ agencyId: 'a', recordedBy: 'r', correlationId: 'c' }, 'o1', values, {}) as unknown as Record<string, unknown>;
      expect(command).toBeInstanceOf(slice!.command);
      if (slice!.scope === 'officer' && slice!.pathFields.length > 0) expect(command.officerId).toBe('o1');
      for (const f of form.pathFields ?? []) expect(command[f]).toBe(`${f}-1`);
    }
  });
});
