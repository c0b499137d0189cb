#!/usr/bin/env node
/**
 * The command line (SPEC §5): `npm run --silent cli -- <command>` or the `sro-compliance` bin.
 * The store is chosen by SRO_STORE (default sqlite:./data/sro.db). A write goes where the HTTP
 * API's go: `agency create` through the command bus to its slice's handler and decision, `import`
 * through the bulk import (the same decisions, batched), tokens through the access registry; a
 * refusal is printed as its messages (exit 1).
 */
import 'reflect-metadata';
import { HttpException, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { ROLES, Role } from '../../events/access';
import { agencyStream, ID_PATTERN } from '../../events/streams';
import { CheckpointError, parseVerifierKey, verifyCheckpoint } from '../../events/checkpoint';
import { agencyStatusCsv, AgencyStatusView, GetAgencyStatusQuery } from '../agencies/agency-status';
import { RegisterAgencyCommand } from '../agencies/register-agency';
import { DEFAULT_HORIZON_DAYS, GetRemindersQuery, MAX_HORIZON_DAYS } from '../agencies/reminders';
import { isAcceptedDate, isInstant, isPlainInteger } from '../common/validation';
import { BulkImporter } from '../import/bulk-import';
import { CheckpointService } from '../ledger/checkpoint-service';
import { IntegrityMonitor } from '../ledger/integrity-monitor';
import { GetConsistencyProofQuery, GetInclusionProofQuery } from '../ledger/ledger.controller';
import { ledgerOptionsFrom } from '../ledger/ledger-options';
import { createKeyFile, loadSigningKey } from '../ledger/signing-key';
import { CsvFormatError, readCsvCommands } from '../import/csv-commands';
import { GetOfficerHistoryQuery } from '../officers/officer-history';
import { GetOfficerStatusQuery } from '../officers/officer-status';
import { ProjectionRunner } from '../read-models/projection-runner';
import { resolveTimeAxes, TimeAxes } from '../read/time-axes';
import { AppModule } from '../app.module';
import { AccessRegistry } from '../auth/access-registry';
import { Accounts } from '../auth/accounts';
import { FirstRunSetup } from '../console';
import { consoleOptionsFrom } from '../console/console-options';
import { listenAddress, storeUrl, UsageError } from '../config';
import { createHttpApp } from '../http/create-http-app';
import { EVENT_STORE, EventStore } from '../store/event-store.port';
import { Refusal } from '../write/refusals';

const USAGE = `usage: sro-compliance <command> [options]     (store: SRO_STORE, default sqlite:./data/sro.db)

  agency create --id <agencyId> --name <name>
  token create --agency <agencyId> --role <admin|auditor|chief|investigator> --name <label>
  token revoke --agency <agencyId> --name <label> [--reason <text>]
  token list --agency <agencyId>
  user invite --agency <agencyId> --role <admin|auditor|chief|investigator> --email <email> --name <name>
                                            (a person's console account; prints the one-time link, valid 24 hours)
  user reset --agency <agencyId> --email <email>    (a new one-time sign-in link for a forgotten password)
  user role --agency <agencyId> --email <email> --role <role>
  user disable --agency <agencyId> --email <email> [--reason <text>]
  user enable --agency <agencyId> --email <email>
  user list --agency <agencyId>
  import <file.csv> --agency <agencyId>     (one write per row; see README "Importing a CSV")
  status --agency <agencyId> [--officer <officerId>] [--as-of <YYYY-MM-DD>] [--known-at <instant>] [--csv]
  reminders --agency <agencyId> [--as-of <YYYY-MM-DD>] [--known-at <instant>] [--horizon-days <n>]
  history --agency <agencyId> --officer <officerId> [--known-at <instant>]
  verify [--checkpoint <file>] [--public-key <verifier key>]
                                            (every chain, head, roster, position, the Merkle tree against the
                                             latest signed checkpoint and the read models; --checkpoint: also
                                             prove that the log extends a checkpoint kept elsewhere; exit 1 if broken)
  checkpoint                                (sign a checkpoint of the ledger now, if it has new events; prints it)
  keys init                                 (create the ledger signing key, SRO_KEY_FILE, mode 0600; prints the verifier key)
  keys show                                 (print the verifier key that checks this ledger's checkpoints)
  proof inclusion --event <eventId> --agency <agencyId> [--tree-size <n>]
  proof consistency --from <n> [--to <n>]   (RFC 9162 proofs, JSON)
  rebuild [--projection <name>]             (rebuild read models from position 0; resumes an interrupted rebuild)
  serve [--port <port>]                     (PORT, HOST; default 127.0.0.1:3000)

asOf defaults to today in America/Chicago, knownAt to now. Output is JSON (status --csv: CSV).
`;

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

const cliUser = (): string => `cli:${userInfo().username}`;

async function withContext<T>(run: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  // abortOnError: false, so that a store that cannot be opened (PostgreSQL unreachable) is reported, not a silent exit 1.
  const app = await NestFactory.createApplicationContext(AppModule.register({ store: storeUrl() }), { logger: false, abortOnError: false });
  try {
    return await run(app);
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
  const grants = await withContext((app) => app.get(AccessRegistry).grants(agencyId));
  if (grants.length === 0) console.log(`Agency ${agencyId} has no tokens.`);
  for (const g of grants) {
    console.log(`${g.name}\t${g.role}\tissued ${g.issuedAt}\t${g.revokedAt ? `revoked ${g.revokedAt}` : 'active'}\t${g.tokenId}`);
  }
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
  console.log(`A new sign-in link for ${invitation.account.email}; it works once, until ${invitation.expiresAt}, and earlier links stop working once it is used:`);
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
  const accounts = await withContext((app) => app.get(Accounts).list(agencyId));
  printJson(
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
    printJson(await withContext((app) => app.get(QueryBus).execute(new GetOfficerStatusQuery(agencyId, officerId, axes))));
    return;
  }
  const view = await withContext((app) => app.get(QueryBus).execute<GetAgencyStatusQuery, AgencyStatusView>(new GetAgencyStatusQuery(agencyId, axes)));
  if (options.csv) process.stdout.write(agencyStatusCsv(view));
  else printJson(view);
}

async function reminders(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const axes = timeAxes(options);
  const raw = options['horizon-days'] ?? String(DEFAULT_HORIZON_DAYS);
  // The route's rule (RemindersQueryDto): plain digits, 0 to MAX_HORIZON_DAYS.
  if (!isPlainInteger(raw, 0, MAX_HORIZON_DAYS)) throw new UsageError(`--horizon-days must be a whole number of days from 0 to ${MAX_HORIZON_DAYS}`);
  const horizonDays = Number(raw);
  printJson(await withContext((app) => app.get(QueryBus).execute(new GetRemindersQuery(agencyId, axes, horizonDays))));
}

async function history(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const officerId = identifier(options, 'officer');
  const { knownAt } = timeAxes(options);
  printJson(await withContext((app) => app.get(QueryBus).execute(new GetOfficerHistoryQuery(agencyId, officerId, knownAt))));
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
        extra.push(verifyCheckpoint(readFileSync(file, 'utf8'), verifier));
      } catch (error) {
        if (error instanceof CheckpointError) throw new Error(`${file}: ${error.message}`);
        throw error;
      }
    }
    return app.get(IntegrityMonitor).verify({ extra });
  });
  printJson(report);
  return report.ok ? 0 : 1;
}

async function checkpoint(): Promise<void> {
  const signed = await withContext((app) => app.get(CheckpointService).issue());
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
  printJson(await withContext((app) => app.get(QueryBus).execute(new GetInclusionProofQuery(agencyId, eventId, treeSize))));
}

async function proofConsistency(options: Options): Promise<void> {
  const from = whole(options, 'from');
  if (from === undefined) throw new UsageError('--from is required');
  printJson(await withContext((app) => app.get(QueryBus).execute(new GetConsistencyProofQuery(from, whole(options, 'to')))));
}

/** Imports a CSV of writes; prints the report (JSON); exit 1 when any row was rejected. */
async function importCsv(options: Options, positionals: string[]): Promise<number> {
  const file = positionals[1];
  if (!file) throw new UsageError('import needs the CSV file: import <file.csv> --agency <agencyId>');
  if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
  const agencyId = identifier(options, 'agency');
  const report = await withContext(async (app) => {
    await requireAgency(app, agencyId);
    return app.get(BulkImporter).import(readCsvCommands(file), { agencyId, recordedBy: cliUser() });
  });
  printJson(report);
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
  if (events.length === 0) throw new UsageError(`agency ${agencyId} is not registered; create it first with: agency create --id ${agencyId} --name "..."`);
}

async function serve(options: Options): Promise<void> {
  const { host, port } = listenAddress(process.env, options.port);
  const url = storeUrl();
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
/** Commands of one word; the others are `<noun> <verb>`. */
const SINGLE_WORD = new Set(['import', 'status', 'reminders', 'history', 'verify', 'checkpoint', 'rebuild', 'serve']);

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        id: { type: 'string' },
        name: { type: 'string' },
        agency: { type: 'string' },
        role: { type: 'string' },
        email: { type: 'string' },
        reason: { type: 'string' },
        port: { type: 'string' },
        officer: { type: 'string' },
        'as-of': { type: 'string' },
        'known-at': { type: 'string' },
        'horizon-days': { type: 'string' },
        csv: { type: 'boolean' },
        projection: { type: 'string' },
        checkpoint: { type: 'string' },
        'public-key': { type: 'string' },
        event: { type: 'string' },
        'tree-size': { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { positionals, values } = parsed;
  if (values.help || positionals.length === 0) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const key = SINGLE_WORD.has(positionals[0]) ? positionals[0] : positionals.slice(0, 2).join(' ');
  const command = COMMANDS[key];
  if (!command) {
    console.error(`unknown command: ${positionals.join(' ')}\n\n${USAGE}`);
    return 2;
  }
  try {
    return (await command(values as Options, positionals)) ?? 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof CsvFormatError) {
      console.error(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof Refusal) {
      for (const message of error.messages) console.error(`error: ${message}`);
      return 1;
    }
    if (error instanceof HttpException) {
      const body = error.getResponse() as { message?: string | string[] };
      const messages = Array.isArray(body.message) ? body.message : [body.message ?? error.message];
      for (const message of messages) console.error(`error: ${message}`);
      return 1;
    }
    console.error(`error: ${(error as Error).message}`);
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
