/**
 * What every command of the command line (main.ts) shares: reading its options, printing JSON or
 * CSV, and the app context it runs in, on the store SRO_STORE names (src/store/backends.ts).
 */
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { existsSync, fstatSync } from 'node:fs';
import { userInfo } from 'node:os';
import { agencyStream, ID_PATTERN } from '../../events/streams';
import { CSV_BOM, toCsv } from '../common/csv';
import { isAcceptedDate, isInstant } from '../common/validation';
import { resolveTimeAxes, TimeAxes } from '../read/time-axes';
import { AccessLog } from '../access-log/access-log';
import { AppModule } from '../app.module';
import { storeUrl, UsageError } from '../config';
import { knownBackend } from '../store/backends';
import { EVENT_STORE, EventStore } from '../store/event-store.port';


export type Options = Record<string, string | undefined>;

export function required(options: Options, name: string): string {
  const value = options[name]?.trim();
  if (!value) throw new UsageError(`--${name} is required`);
  return value;
}

export function identifier(options: Options, name: string): string {
  const value = required(options, name);
  if (!ID_PATTERN.test(value)) throw new UsageError(`--${name} must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`);
  return value;
}

export function timeAxes(options: Options): TimeAxes {
  const asOf = options['as-of'];
  const knownAt = options['known-at'];
  if (asOf !== undefined && !isAcceptedDate(asOf)) throw new UsageError('--as-of must be a real calendar date in the form YYYY-MM-DD');
  if (knownAt !== undefined && !isInstant(knownAt)) throw new UsageError('--known-at must be an ISO-8601 instant with a time zone, e.g. 2026-03-01T23:59:59.999-06:00');
  return resolveTimeAxes({ asOf, knownAt });
}

export const printJson = (value: unknown) => console.log(JSON.stringify(value, null, 2));

/**
 * --csv output: with the UTF-8 byte-order mark when stdout is a file (`> report.csv`, to be opened
 * in Excel, as the API's downloads), without it on a pipe or a terminal, where another program or
 * a person reads the text (decisions W34).
 */
export function writeCsv(csv: string): void {
  let toFile = false;
  try {
    toFile = fstatSync(1).isFile();
  } catch {
    // stdout closed or not a descriptor: as a pipe.
  }
  process.stdout.write(toFile || !csv.startsWith(CSV_BOM) ? csv : csv.slice(CSV_BOM.length));
}

/** A list of flat objects: JSON, or with --csv one row each under these columns. */
export function printRows(options: Options, columns: string[], rows: Record<string, unknown>[]): void {
  if (!options.csv) return printJson(rows);
  writeCsv(toCsv(columns, rows.map((r) => columns.map((c) => (r[c] === undefined ? '' : String(r[c]))))));
}

/** A query's answer: JSON, or its CSV with --csv. */
export function printAnswer<T>(options: Options, value: T, csv: (value: T) => string): void {
  if (options.csv) writeCsv(csv(value));
  else printJson(value);
}

export const cliUser = (): string => `cli:${userInfo().username}`;

/** Read-only commands never create a store: a SQLite file that does not exist, or memory: (empty in a new process), is refused. */
export class StoreMissing extends Error {}

export function checkStoreExists(url: string): void {
  // The store's backend says whether it is a file here (SQLite) or lives in one process (memory:): src/store/backends.ts.
  const backend = knownBackend(url);
  if (backend?.file !== undefined && !existsSync(backend.file)) {
    throw new StoreMissing(
      `no store at ${backend.file} (SRO_STORE ${process.env.SRO_STORE?.trim() ? `is ${url}` : `not set: the default ${url}, relative to ${process.cwd()}`}); this command reads a store and does not create one: set SRO_STORE to the store to read`,
    );
  }
  if (backend?.name === 'memory') {
    throw new StoreMissing('SRO_STORE is memory:, a store that lives in one process only: a command run on its own reads an empty one (a server on memory: is only reachable over HTTP)');
  }
}

/** The store a command opened, as the user may not have expected it: the URL, with a SQLite file's full path. */
export function storeLabel(url = storeUrl()): string {
  const where = knownBackend(url)?.label ?? url;
  return `${where}${process.env.SRO_STORE?.trim() ? '' : ' (the default; SRO_STORE not set)'}`;
}

export const READ_ONLY = { readOnly: true };

/** The command being run, for the access log. */
export const running = { command: '', csv: false };

export async function withContext<T>(run: (app: INestApplicationContext) => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
  const url = storeUrl();
  if (options.readOnly) checkStoreExists(url);
  // abortOnError: false, so that a store that cannot be opened (PostgreSQL unreachable) is reported, not a silent exit 1.
  const app = await NestFactory.createApplicationContext(AppModule.register({ store: url }), { logger: false, abortOnError: false });
  try {
    // The reads of officer data a command makes are in the agency's access log, as `cli:<user>` (decisions W28).
    const who = cliUser();
    return await app.get(AccessLog).runAs({ principal: { kind: 'cli', id: who, name: who, role: 'cli' }, route: `cli ${running.command}`, format: running.csv ? 'csv' : 'json', requestId: null }, () => run(app));
  } finally {
    await app.close();
  }
}

export async function requireAgency(app: INestApplicationContext, agencyId: string): Promise<void> {
  const events = await app.get<EventStore>(EVENT_STORE).readStream(agencyStream(agencyId));
  if (events.length === 0) throw new UsageError(`agency ${agencyId} is not registered in the store ${storeLabel()}; create it first with: agency create --id ${agencyId} --name "..."`);
}
