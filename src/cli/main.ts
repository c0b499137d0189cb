#!/usr/bin/env node
/**
 * The command line (docs/reference.md#command-line): `npm run --silent cli -- <command>` or the
 * `sro-compliance` bin. The store is chosen by SRO_STORE (default sqlite:./data/sro.db). A write
 * goes where the HTTP API's go: `agency create` through the command bus to its slice's handler and
 * decision, `import` through the bulk import (the same decisions, batched), tokens through the
 * access registry; a refusal is printed as its messages (exit 1).
 */
import 'reflect-metadata';
import { HttpException, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { existsSync, fstatSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import { ROLES, Role } from '../../events/access';
import { agencyStream, ID_PATTERN } from '../../events/streams';
import { CheckpointError, parseVerifierKey, verifyCheckpoint } from '../../events/checkpoint';
import { agencyStatusCsv, AgencyStatusView, GetAgencyStatusQuery } from '../agencies/agency-status';
import { RegisterAgencyCommand } from '../agencies/register-agency';
import { DEFAULT_HORIZON_DAYS, GetRemindersQuery, MAX_HORIZON_DAYS, remindersCsv, type RemindersView } from '../agencies/reminders';
import { CSV_BOM, toCsv } from '../common/csv';
import { isAcceptedDate, isInstant, isPlainInteger } from '../common/validation';
import { BulkImporter } from '../import/bulk-import';
import { CheckpointService } from '../ledger/checkpoint-service';
import { IntegrityMonitor } from '../ledger/integrity-monitor';
import { GetConsistencyProofQuery, GetInclusionProofQuery } from '../ledger/ledger.controller';
import { ledgerOptionsFrom } from '../ledger/ledger-options';
import { createKeyFile, loadSigningKey } from '../ledger/signing-key';
import { csvFileFormat, CsvFormatError, readCsvCommands } from '../import/csv-commands';
import { formatInWords } from '../common/text-file';
import { GetOfficerHistoryQuery, officerHistoryCsv, type OfficerHistoryView } from '../officers/officer-history';
import { GetOfficerStatusQuery, officerStatusCsv, type OfficerStatusView } from '../officers/officer-status';
import { ProjectionRunner } from '../read-models/projection-runner';
import { resolveTimeAxes, TimeAxes } from '../read/time-axes';
import { AccessLog } from '../access-log/access-log';
import { AppModule } from '../app.module';
import { AccessRegistry } from '../auth/access-registry';
import { Accounts } from '../auth/accounts';
import { FirstRunSetup } from '../console';
import { seedDemo } from './demo';
import { consoleOptionsFrom } from '../console/console-options';
import { ConfigError, listenAddress, loadConfig, storeUrl, UsageError } from '../config';
import { createHttpApp } from '../http/create-http-app';
import { knownBackend } from '../store/backends';
import { EVENT_STORE, EventStore } from '../store/event-store.port';
import { NotFound, Refusal } from '../write/refusals';

type Options = Record<string, string | undefined>;

function required(options: Options, name: string): string {
  const value = options[name]?.trim();
  if (!value) throw new UsageError(`--${name} is required`);
  return value;
}

function identifier(options: Options, name: string): string {
  const value = required(options, name);
  if (!ID_PATTERN.test(value)) throw new UsageError(`--${name} must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`);
  return value;
}

function timeAxes(options: Options): TimeAxes {
  const asOf = options['as-of'];
  const knownAt = options['known-at'];
  if (asOf !== undefined && !isAcceptedDate(asOf)) throw new UsageError('--as-of must be a real calendar date in the form YYYY-MM-DD');
  if (knownAt !== undefined && !isInstant(knownAt)) throw new UsageError('--known-at must be an ISO-8601 instant with a time zone, e.g. 2026-03-01T23:59:59.999-06:00');
  return resolveTimeAxes({ asOf, knownAt });
}

const printJson = (value: unknown) => console.log(JSON.stringify(value, null, 2));

/**
 * --csv output: with the UTF-8 byte-order mark when stdout is a file (`> report.csv`, to be opened
 * in Excel, as the API's downloads), without it on a pipe or a terminal, where another program or
 * a person reads the text (decisions W34).
 */
function writeCsv(csv: string): void {
  let toFile = false;
  try {
    toFile = fstatSync(1).isFile();
  } catch {
    // stdout closed or not a descriptor: as a pipe.
  }
  process.stdout.write(toFile || !csv.startsWith(CSV_BOM) ? csv : csv.slice(CSV_BOM.length));
}

/** A list of flat objects: JSON, or with --csv one row each under these columns. */
function printRows(options: Options, columns: string[], rows: Record<string, unknown>[]): void {
  if (!options.csv) return printJson(rows);
  writeCsv(toCsv(columns, rows.map((r) => columns.map((c) => (r[c] === undefined ? '' : String(r[c]))))));
}

/** A query's answer: JSON, or its CSV with --csv. */
function printAnswer<T>(options: Options, value: T, csv: (value: T) => string): void {
  if (options.csv) writeCsv(csv(value));
  else printJson(value);
}

const cliUser = (): string => `cli:${userInfo().username}`;

/** Read-only commands never create a store: a SQLite file that does not exist, or memory: (empty in a new process), is refused. */
export class StoreMissing extends Error {}

function checkStoreExists(url: string): void {
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
function storeLabel(url = storeUrl()): string {
  const where = knownBackend(url)?.label ?? url;
  return `${where}${process.env.SRO_STORE?.trim() ? '' : ' (the default; SRO_STORE not set)'}`;
}

const READ_ONLY = { readOnly: true };

/** The command being run, for the access log. */
const running = { command: '', csv: false };

async function withContext<T>(run: (app: INestApplicationContext) => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
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

async function agencyCreate(options: Options): Promise<void> {
  const agencyId = identifier(options, 'id');
  const name = required(options, 'name');
  const result = await withContext((app) =>
    app.get(CommandBus).execute(new RegisterAgencyCommand({ agencyId, recordedBy: cliUser(), correlationId: randomUUID() }, name)),
  );
  console.log(`Agency ${agencyId} (${name}) registered: event ${result.eventId} at ${result.recordedAt}`);
}

async function tokenCreate(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const role = required(options, 'role') as Role;
  if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  const name = required(options, 'name');
  const { token, grant } = await withContext(async (app) => {
    await requireAgency(app, agencyId);
    return app.get(AccessRegistry).issue({ agencyId, role, name, recordedBy: cliUser() });
  });
  console.log(`Token "${grant.name}" (role ${grant.role}, agency ${grant.agencyId}, id ${grant.tokenId}) created. It is shown once; keep it secret:`);
  console.log(token);
}

async function tokenRevoke(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const name = required(options, 'name');
  const reason = options.reason?.trim() || 'revoked from the command line';
  const grant = await withContext(async (app) => {
    const revoked = await app.get(AccessRegistry).revoke({ agencyId, name, reason, recordedBy: cliUser() });
    // A revocation is signed into a checkpoint at once: deleting it later is caught against the checkpoint log.
    await app.get(CheckpointService).issue();
    return revoked;
  });
  console.log(`Token "${grant.name}" (id ${grant.tokenId}) of agency ${agencyId} revoked at ${grant.revokedAt}.`);
}

async function tokenList(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const grants = await withContext((app) => app.get(AccessRegistry).grants(agencyId), READ_ONLY);
  printRows(
    options,
    ['name', 'role', 'tokenId', 'issuedAt', 'state', 'revokedAt'],
    grants.map((g) => ({
      name: g.name,
      role: g.role,
      tokenId: g.tokenId,
      issuedAt: g.issuedAt,
      state: g.revokedAt ? 'revoked' : 'active',
      ...(g.revokedAt ? { revokedAt: g.revokedAt } : {}),
    })),
  );
}

/** Where people open the console: SRO_PUBLIC_URL, else the address `serve` listens on. */
function publicUrl(): string {
  const configured = consoleOptionsFrom(process.env).publicUrl;
  if (configured) return configured;
  const { host, port } = listenAddress(process.env);
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

const welcomeLink = (secret: string): string => `${publicUrl()}/welcome?token=${encodeURIComponent(secret)}`;

async function userInvite(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const role = required(options, 'role');
  if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  const email = required(options, 'email');
  const name = required(options, 'name');
  const invitation = await withContext(async (app) => {
    await requireAgency(app, agencyId);
    return app.get(Accounts).invite({ agencyId, role, email, name }, cliUser());
  });
  const a = invitation.account;
  console.log(`Invited ${a.name} <${a.email}> as ${a.role} of agency ${a.agencyId}. Give them this link; it works once, until ${invitation.expiresAt}:`);
  console.log(welcomeLink(invitation.secret));
}

async function userReset(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const email = required(options, 'email');
  const invitation = await withContext((app) => app.get(Accounts).issueReset(agencyId, email, cliUser()));
  console.log(`A new sign-in link for ${invitation.account.email}; it works once, until ${invitation.expiresAt}, and every earlier link of this account stops working now:`);
  console.log(welcomeLink(invitation.secret));
}

async function userRole(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const account = await withContext((app) => app.get(Accounts).changeRole(agencyId, required(options, 'email'), required(options, 'role'), cliUser()));
  console.log(`${account.email} now has the role ${account.role}; it applies from their next page.`);
}

async function userDisable(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const account = await withContext((app) => app.get(Accounts).disable(agencyId, required(options, 'email'), options.reason?.trim() || 'disabled from the command line', cliUser()));
  console.log(`${account.email} is disabled; their session ends on their next page.`);
}

async function userEnable(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const account = await withContext((app) => app.get(Accounts).enable(agencyId, required(options, 'email'), cliUser()));
  console.log(`${account.email} is enabled again.`);
}

async function userList(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const accounts = await withContext((app) => app.get(Accounts).list(agencyId), READ_ONLY);
  printRows(
    options,
    ['userId', 'name', 'email', 'role', 'state', 'invitedAt', 'invitedBy', 'passwordSetAt', 'disabledAt', 'disabledReason'],
    accounts.map((a) => ({
      userId: a.userId,
      name: a.name,
      email: a.email,
      role: a.role,
      state: a.disabledAt ? 'disabled' : a.password ? 'active' : 'invited',
      invitedAt: a.invitedAt,
      invitedBy: a.invitedBy,
      ...(a.passwordSetAt ? { passwordSetAt: a.passwordSetAt } : {}),
      ...(a.disabledAt ? { disabledAt: a.disabledAt, disabledReason: a.disabledReason } : {}),
    })),
  );
}

async function status(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const axes = timeAxes(options);
  if (options.officer !== undefined) {
    const officerId = identifier(options, 'officer');
    printAnswer(options, await withContext((app) => app.get(QueryBus).execute<GetOfficerStatusQuery, OfficerStatusView>(new GetOfficerStatusQuery(agencyId, officerId, axes)), READ_ONLY), officerStatusCsv);
    return;
  }
  const view = await withContext((app) => app.get(QueryBus).execute<GetAgencyStatusQuery, AgencyStatusView>(new GetAgencyStatusQuery(agencyId, axes)), READ_ONLY);
  printAnswer(options, view, agencyStatusCsv);
}

async function reminders(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const axes = timeAxes(options);
  const raw = options['horizon-days'] ?? String(DEFAULT_HORIZON_DAYS);
  // The route's rule (RemindersQueryDto): plain digits, 0 to MAX_HORIZON_DAYS.
  if (!isPlainInteger(raw, 0, MAX_HORIZON_DAYS)) throw new UsageError(`--horizon-days must be a whole number of days from 0 to ${MAX_HORIZON_DAYS}`);
  const horizonDays = Number(raw);
  printAnswer(options, await withContext((app) => app.get(QueryBus).execute<GetRemindersQuery, RemindersView>(new GetRemindersQuery(agencyId, axes, horizonDays)), READ_ONLY), remindersCsv);
}

async function history(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const officerId = identifier(options, 'officer');
  const { knownAt } = timeAxes(options);
  printAnswer(options, await withContext((app) => app.get(QueryBus).execute<GetOfficerHistoryQuery, OfficerHistoryView>(new GetOfficerHistoryQuery(agencyId, officerId, knownAt)), READ_ONLY), officerHistoryCsv);
}

/** The one ledger verification (src/ledger/ledger-verifier.ts), with checkpoints kept outside when given. */
async function verify(options: Options): Promise<number> {
  const report = await withContext(async (app) => {
    const checkpoints = app.get(CheckpointService);
    const extra = [];
    if (options.checkpoint !== undefined) {
      const file = options.checkpoint;
      if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
      const verifier = options['public-key'] !== undefined ? parseVerifierKey(options['public-key']) : checkpoints.key().verifier;
      try {
        extra.push({ ...verifyCheckpoint(readFileSync(file, 'utf8'), verifier), file });
      } catch (error) {
        if (error instanceof CheckpointError) throw new Error(`${file}: ${error.message}`);
        throw error;
      }
    }
    return app.get(IntegrityMonitor).verify({ extra });
  }, READ_ONLY);
  printJson(report);
  return report.ok ? 0 : 1;
}

async function checkpoint(): Promise<void> {
  // An operator's explicit act: it also signs the first checkpoint of a log that has none (docs/decisions.md W37).
  const signed = await withContext((app) => app.get(CheckpointService).issue({ first: true }));
  if (!signed) {
    console.error('the ledger has no events yet: nothing to sign');
    return;
  }
  process.stdout.write(signed.note);
}

async function keysInit(): Promise<void> {
  const file = ledgerOptionsFrom(process.env, storeUrl()).keyFile;
  const created = createKeyFile(file);
  const key = loadSigningKey(file, ledgerOptionsFrom(process.env, storeUrl()).origin);
  // A new key signs its first checkpoint at once (of 0 events on a new ledger): from then on a log without any is a deleted one.
  if (created) await withContext((app) => app.get(CheckpointService).issue({ first: true, genesis: true }));
  console.log(created ? `Created the ledger signing key ${file} (mode 0600). Keep it secret and backed up; give witnesses this verifier key:` : `The ledger signing key ${file} exists; its verifier key:`);
  console.log(key.verifierKey);
}

async function keysShow(): Promise<void> {
  const options = ledgerOptionsFrom(process.env, storeUrl());
  console.log(loadSigningKey(options.keyFile, options.origin).verifierKey);
}

function whole(options: Options, name: string): number | undefined {
  const raw = options[name];
  if (raw === undefined) return undefined;
  if (!/^(0|[1-9][0-9]{0,15})$/.test(raw)) throw new UsageError(`--${name} must be a whole number of events`);
  return Number(raw);
}

async function proofInclusion(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const eventId = required(options, 'event');
  const treeSize = whole(options, 'tree-size');
  printJson(await withContext((app) => app.get(QueryBus).execute(new GetInclusionProofQuery(agencyId, eventId, treeSize)), READ_ONLY));
}

async function proofConsistency(options: Options): Promise<void> {
  const from = whole(options, 'from');
  if (from === undefined) throw new UsageError('--from is required');
  printJson(await withContext((app) => app.get(QueryBus).execute(new GetConsistencyProofQuery(from, whole(options, 'to'))), READ_ONLY));
}

/** Imports a CSV of writes; prints the report (JSON); exit 1 when any row was rejected. */
async function importCsv(options: Options, positionals: string[]): Promise<number> {
  const file = positionals[1];
  if (!file) throw new UsageError('import needs the CSV file: import <file.csv> --agency <agencyId>');
  if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
  const agencyId = identifier(options, 'agency');
  if (options['dry-run'] && options['by-row']) throw new UsageError('--dry-run and --by-row do not go together: a dry run records nothing');
  const mode = options['dry-run'] ? 'dry-run' : options['by-row'] ? 'rows' : 'all-or-nothing';
  // The whole file is checked to be text, and its encoding and delimiter found, before anything is recorded (decisions W34).
  const format = await csvFileFormat(file);
  const readAs = formatInWords(format);
  const report = await withContext(async (app) => {
    await requireAgency(app, agencyId);
    return app.get(BulkImporter).import(readCsvCommands(file, format), { agencyId, recordedBy: cliUser(), mode });
  });
  // What was recorded is in the ledger; what a dry run would record is worth printing, and how the file was read.
  if (mode !== 'dry-run') {
    delete report.recorded;
    printJson(report);
  } else {
    printJson({ file: { encoding: format.encoding, byteOrderMark: format.bom, delimiter: format.delimiter === '\t' ? 'tab' : 'comma', readAs }, ...report });
  }
  return report.rejectedCount === 0 ? 0 : 1;
}

async function rebuild(options: Options): Promise<void> {
  const only = options.projection;
  await withContext(async (app) => {
    const runner = app.get(ProjectionRunner);
    if (only !== undefined && !runner.names().includes(only)) {
      throw new UsageError(`--projection must be one of ${runner.names().join(', ')}`);
    }
    const started = Date.now();
    let last = 0;
    await runner.rebuild(only, (p) => {
      if (Date.now() - last > 1000) {
        last = Date.now();
        console.log(`${p.name}: at position ${p.checkpoint}`);
      }
    });
    for (const p of await runner.progress()) {
      if (only && p.name !== only) continue;
      if (p.failed) throw new Error(`${p.name} halted on event ${p.failed.eventId} (position ${p.failed.position}): ${p.failed.error}; run rebuild again to resume`);
      console.log(`${p.name}: rebuilt to position ${p.checkpoint} in ${Date.now() - started} ms`);
    }
  });
}

async function requireAgency(app: INestApplicationContext, agencyId: string): Promise<void> {
  const events = await app.get<EventStore>(EVENT_STORE).readStream(agencyStream(agencyId));
  if (events.length === 0) throw new UsageError(`agency ${agencyId} is not registered in the store ${storeLabel()}; create it first with: agency create --id ${agencyId} --name "..."`);
}

async function serve(options: Options): Promise<void> {
  const { host, port } = listenAddress(process.env, options.port);
  const url = storeUrl();
  if (options.demo && knownBackend(url)?.name !== 'memory') throw new UsageError(`--demo seeds a demo agency into an in-memory store only: run it with SRO_STORE=memory: (SRO_STORE is ${url})`);
  const app = await createHttpApp({ store: url });
  await app.listen(port, host);
  const address = app.getHttpServer().address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const local = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
  const base = consoleOptionsFrom(process.env).publicUrl ?? local;
  console.log(`sro-compliance listening on ${local}/api (store ${url})`);
  console.log(`Console: open ${base}/ in a browser`);
  console.log(`Health: curl ${local}/api/health`);
  const key = app.get(CheckpointService).key();
  console.log(`Ledger signing key ${key.file}; checkpoints are checked with the verifier key ${key.verifierKey}`);
  if (options.demo) {
    const demo = await seedDemo(app, cliUser());
    console.log(`Demo: agency ${demo.agencyId} (Demo Police Department) with three officers, in memory: everything is lost when the server stops.`);
    console.log(`Sign in to the console as ${demo.email}: open this one-time link (until ${demo.expiresAt}) and choose a password:`);
    console.log(`${base}/welcome?token=${encodeURIComponent(demo.linkSecret)}`);
    console.log(`API: an admin token of ${demo.agencyId} (shown once): curl -H "Authorization: Bearer ${demo.token}" ${local}/api/agencies/${demo.agencyId}/status`);
    return;
  }
  const setup = await app.get(FirstRunSetup).open();
  if (setup) {
    console.log('First run: no agency is registered yet. Open this one-time link (valid 24 hours) to set up your agency and its first admin:');
    console.log(`${base}/setup?token=${encodeURIComponent(setup)}`);
  }
}

const COMMANDS: Record<string, (options: Options, positionals: string[]) => Promise<void | number>> = {
  import: importCsv,
  'agency create': agencyCreate,
  'token create': tokenCreate,
  'token revoke': tokenRevoke,
  'token list': tokenList,
  'user invite': userInvite,
  'user reset': userReset,
  'user role': userRole,
  'user disable': userDisable,
  'user enable': userEnable,
  'user list': userList,
  status,
  reminders,
  history,
  verify,
  checkpoint,
  'keys init': keysInit,
  'keys show': keysShow,
  'proof inclusion': proofInclusion,
  'proof consistency': proofConsistency,
  rebuild,
  serve,
};
/**
 * Each command's synopsis (its options, as `--name <value>`, `[--optional <value>]`, `[--flag]`,
 * and a positional `<file>`) and what it does. The synopsis is the one source of the parser:
 * commander is given exactly these options, so the usage cannot drift from what is accepted. To
 * add a flag (e.g. `import`'s `[--dry-run]`), add it to the synopsis and read `options['dry-run']`.
 */
const SPECS: Record<string, { synopsis: string; about?: string[] }> = {
  'agency create': { synopsis: '--id <agencyId> --name <name>' },
  'token create': { synopsis: '--agency <agencyId> --role <admin|auditor|chief|investigator> --name <label>' },
  'token revoke': { synopsis: '--agency <agencyId> --name <label> [--reason <text>]' },
  'token list': { synopsis: '--agency <agencyId> [--csv]', about: ["(the agency's tokens)"] },
  'user invite': {
    synopsis: '--agency <agencyId> --role <admin|auditor|chief|investigator> --email <email> --name <name>',
    about: ["(a person's console account; prints the one-time link, valid 24 hours)"],
  },
  'user reset': { synopsis: '--agency <agencyId> --email <email>', about: ['(a new one-time sign-in link for a forgotten password)'] },
  'user role': { synopsis: '--agency <agencyId> --email <email> --role <role>' },
  'user disable': { synopsis: '--agency <agencyId> --email <email> [--reason <text>]' },
  'user enable': { synopsis: '--agency <agencyId> --email <email>' },
  'user list': { synopsis: '--agency <agencyId> [--csv]' },
  import: {
    synopsis: '<file.csv> --agency <agencyId> [--dry-run] [--by-row]',
    about: ['(one write per row, the whole file or nothing; --dry-run: check only;', ' --by-row: record the good rows in batches; see README "Importing a CSV")'],
  },
  status: { synopsis: '--agency <agencyId> [--officer <officerId>] [--as-of <YYYY-MM-DD>] [--known-at <instant>] [--csv]' },
  reminders: { synopsis: '--agency <agencyId> [--as-of <YYYY-MM-DD>] [--known-at <instant>] [--horizon-days <n>] [--csv]' },
  history: { synopsis: '--agency <agencyId> --officer <officerId> [--known-at <instant>] [--csv]' },
  verify: {
    synopsis: '[--checkpoint <file>] [--public-key <verifier key>]',
    about: [
      '(every chain, head, roster, position, the Merkle tree against the',
      ' latest signed checkpoint and the read models; --checkpoint: also',
      ' prove that the log extends a checkpoint kept elsewhere; exit 1 if broken)',
    ],
  },
  checkpoint: { synopsis: '', about: ['(sign a checkpoint of the ledger now, if it has new events; prints it)'] },
  'keys init': { synopsis: '', about: ['(create the ledger signing key, SRO_KEY_FILE, mode 0600; prints the verifier key)'] },
  'keys show': { synopsis: '', about: ["(print the verifier key that checks this ledger's checkpoints)"] },
  'proof inclusion': { synopsis: '--event <eventId> --agency <agencyId> [--tree-size <n>]' },
  'proof consistency': { synopsis: '--from <n> [--to <n>]', about: ['(RFC 9162 proofs, JSON)'] },
  rebuild: { synopsis: '[--projection <name>]', about: ['(rebuild read models from position 0; resumes an interrupted rebuild)'] },
  serve: { synopsis: '[--port <port>] [--demo]', about: ['(PORT, HOST; default 127.0.0.1:3000; --demo: on memory:, a demo agency to sign in to)'] },
};

/** What each option means, in every command's --help. */
const OPTION_HELP: Record<string, string> = {
  id: 'the agency ID: 1-64 letters, digits, ".", "_" or "-"',
  name: 'a name (for a token: its label, what its writes are recorded by)',
  agency: 'the agency ID',
  role: 'the role',
  email: "the person's email address",
  reason: 'why (recorded with the event)',
  officer: 'the officer ID',
  'as-of': 'the day the answer is for (Minnesota date; default today in America/Chicago)',
  'known-at': 'the instant the records are read as of (ISO-8601 with a time zone; default now)',
  'horizon-days': 'how many days ahead reminders look (0 to 3650, default 60)',
  csv: 'print CSV instead of JSON',
  checkpoint: 'a signed checkpoint kept elsewhere, to prove the log extends it',
  'public-key': "the verifier key that checks it (default this ledger's)",
  event: 'the event ID',
  'tree-size': 'the tree size to prove against (default the latest checkpoint)',
  from: 'the older tree size',
  to: 'the newer tree size (default the latest checkpoint)',
  projection: 'only this read model',
  port: 'the port to listen on (default PORT, 3000)',
  demo: 'with SRO_STORE=memory: only: seed a demo agency with three officers and print how to sign in',
  'dry-run': 'check every row as its write would, and record nothing',
  'by-row': 'record each good row (in batches of 2,000 events) and report the bad ones, instead of the whole file or nothing',
};

const PROGRAM = 'sro-compliance';
const COMMENT_COLUMN = 44;

/** The usage of every command (`--help`), one synopsis a line with its explanation in parentheses. */
function usage(): string {
  const lines = [`usage: ${PROGRAM} <command> [options]     (store: SRO_STORE, default sqlite:./data/sro.db)`, ''];
  for (const [key, spec] of Object.entries(SPECS)) {
    const synopsis = `  ${key}${spec.synopsis ? ` ${spec.synopsis}` : ''}`;
    const about = spec.about ?? [];
    if (about.length === 0) lines.push(synopsis);
    else if (synopsis.length + 2 <= COMMENT_COLUMN) lines.push(synopsis.padEnd(COMMENT_COLUMN) + about[0], ...about.slice(1).map((l) => ' '.repeat(COMMENT_COLUMN) + l));
    else lines.push(synopsis, ...about.map((l) => ' '.repeat(COMMENT_COLUMN) + l));
  }
  lines.push(
    '',
    `${PROGRAM} <command> --help shows a command's options. asOf defaults to today in America/Chicago, knownAt to now.`,
    'Output is JSON; with --csv, CSV (status, reminders, history, token list, user list). Exit code 0 ok, 1 refused or failed, 2 a usage mistake.',
  );
  return `${lines.join('\n')}\n`;
}

/** One command's parser, built from its synopsis: only its own options are accepted. */
function commandParser(key: string, out: { log: (s: string) => void; err: (s: string) => void }): Command {
  const spec = SPECS[key];
  const command = new Command(`${PROGRAM} ${key}`)
    .usage(spec.synopsis || '')
    .description((spec.about ?? []).map((l) => l.trim()).join(' ').replace(/^\(|\)$/g, ''))
    .helpOption('-h, --help', 'show this help')
    .allowExcessArguments(false)
    .exitOverride()
    .showHelpAfterError(true)
    .configureOutput({ writeOut: (s) => out.log(s.trimEnd()), writeErr: (s) => out.err(s.trimEnd()) });
  const positional = /^<([^>]+)>/.exec(spec.synopsis);
  if (positional) command.argument(`[${positional[1]}]`);
  for (const m of spec.synopsis.matchAll(/\[?--([a-z-]+)(?: <([^>]+)>)?\]?/g)) {
    const [, name, value] = m;
    command.addOption(new Option(value ? `--${name} <${value}>` : `--${name}`, OPTION_HELP[name] ?? name));
  }
  return command;
}

const NOUNS = new Set(Object.keys(COMMANDS).filter((k) => k.includes(' ')).map((k) => k.split(' ')[0]));

export async function main(argv: string[]): Promise<number> {
  const out = { log: (s: string) => console.log(s), err: (s: string) => console.error(s) };
  if (argv.length === 0 || (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help'))) {
    (argv.length === 0 ? out.err : out.log)(usage().trimEnd());
    return argv.length === 0 ? 2 : 0;
  }
  const key = (NOUNS.has(argv[0]) ? argv.slice(0, 2).join(' ') : argv[0]) as string;
  if (!(key in COMMANDS)) {
    if (NOUNS.has(argv[0])) {
      const group: string[] = [];
      let inGroup = false;
      for (const line of usage().split('\n')) {
        if (/^ {2}\S/.test(line)) inGroup = line.startsWith(`  ${argv[0]} `);
        else if (!line.startsWith(' '.repeat(COMMENT_COLUMN))) inGroup = false;
        if (inGroup) group.push(line);
      }
      const help = argv[1] === undefined || argv[1] === '--help' || argv[1] === '-h';
      if (argv[1] !== undefined && !help) out.err(`unknown command: ${argv.slice(0, 2).join(' ')}`);
      (help && argv[1] !== undefined ? out.log : out.err)(`usage:\n${group.join('\n')}`);
      return help && argv[1] !== undefined ? 0 : 2;
    }
    out.err(`unknown command: ${argv.join(' ')}\n\n${usage()}`);
    return 2;
  }
  const parser = commandParser(key, out);
  try {
    parser.parse(argv.slice(key.split(' ').length), { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const values: Options = {};
  for (const option of parser.options) {
    const value = parser.getOptionValue(option.attributeName());
    if (value !== undefined) values[option.long!.slice(2)] = value as string;
  }
  running.command = key;
  running.csv = values.csv !== undefined;
  const positionals = [...key.split(' '), ...parser.processedArgs.filter((a): a is string => typeof a === 'string')];
  try {
    // The one configuration schema (src/config.ts): a bad value is one line naming the variable.
    loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      out.err(`configuration: ${error.message}`);
      return 2;
    }
    throw error;
  }
  try {
    return (await COMMANDS[key](values, positionals)) ?? 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      out.err(`configuration: ${error.message}`);
      return 2;
    }
    if (error instanceof CsvFormatError && error.notText) {
      // The file's content, not the command, is wrong: the sentence alone, without the usage (decisions W34).
      out.err(`error: ${error.message}`);
      return 2;
    }
    if (error instanceof UsageError || error instanceof CsvFormatError) {
      out.err(`error: ${error.message}\n\n${parser.helpInformation().trimEnd()}`);
      return 2;
    }
    if (error instanceof StoreMissing) {
      out.err(`error: ${error.message}`);
      return 1;
    }
    if (error instanceof Refusal) {
      for (const message of error.messages) out.err(`error: ${message}`);
      if (error instanceof NotFound) out.err(`(store: ${storeLabel()})`);
      return 1;
    }
    if (error instanceof HttpException) {
      const body = error.getResponse() as { message?: string | string[] };
      const messages = Array.isArray(body.message) ? body.message : [body.message ?? error.message];
      for (const message of messages) out.err(`error: ${message}`);
      if (error.getStatus() === 404) out.err(`(store: ${storeLabel()})`);
      return 1;
    }
    out.err(`error: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      // `serve` keeps running; every other command ends here.
      if (code !== 0 || process.argv[2] !== 'serve') process.exit(code);
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
