#!/usr/bin/env node
/**
 * The command line (docs/reference.md#command-line): `npm run --silent cli -- <command>` or the
 * `sro-compliance` bin. The store is chosen by SRO_STORE (default sqlite:./data/sro.db). A write
 * goes where the HTTP API's go: `agency create` through the command bus to its slice's handler and
 * decision, `import` through the bulk import (the same decisions, batched), tokens through the
 * access registry; a refusal is printed as its messages (exit 1).
 */
import 'reflect-metadata';
import { HttpException } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { existsSync, readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { CheckpointError, parseVerifierKey, verifyCheckpoint } from '../../events/checkpoint';
import { agencyStatusCsv, AgencyStatusView, GetAgencyStatusQuery } from '../agencies/agency-status';
import { DEFAULT_HORIZON_DAYS, GetRemindersQuery, MAX_HORIZON_DAYS, remindersCsv, type RemindersView } from '../agencies/reminders';
import { isPlainInteger } from '../common/validation';
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
import { FirstRunSetup } from '../console';
import { seedDemo } from './demo';
import { notify, userCalendar } from './notice-commands';
import { witnessAdd, witnessList, witnessRemove, witnessSend } from './witness-commands';
import { consoleOptionsFrom } from '../console/console-options';
import { ConfigError, listenAddress, loadConfig, storeUrl, UsageError } from '../config';
import { createHttpApp } from '../http/create-http-app';
import { knownBackend } from '../store/backends';
import { NotFound, Refusal } from '../write/refusals';
import { COMMENT_COLUMN, usage, commandParser } from './cli-help';
import { idpAdd, idpList, idpPasswords, idpRemove } from './idp-commands';
import { agencyPublic, evidence, verifyEvidenceCommand } from './evidence-commands';
import { agencyCreate, tokenCreate, tokenRevoke, tokenList, userInvite, userReset, userRole, userDisable, userEnable, userList } from './account-commands';
import { type Options, required, identifier, timeAxes, printJson, printAnswer, cliUser, StoreMissing, storeLabel, READ_ONLY, running, withContext, requireAgency } from './cli-context';

export { StoreMissing };

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
  'agency public': agencyPublic,
  'token create': tokenCreate,
  'token revoke': tokenRevoke,
  'token list': tokenList,
  'user invite': userInvite,
  'user reset': userReset,
  'user role': userRole,
  'user disable': userDisable,
  'user enable': userEnable,
  'user list': userList,
  'idp add': idpAdd,
  'idp list': idpList,
  'idp remove': idpRemove,
  'idp passwords': idpPasswords,
  status,
  reminders,
  history,
  verify,
  checkpoint,
  'keys init': keysInit,
  'keys show': keysShow,
  'proof inclusion': proofInclusion,
  'proof consistency': proofConsistency,
  evidence,
  'verify-evidence': verifyEvidenceCommand,
  rebuild,
  serve,
  notify,
  'user calendar': userCalendar,
  'witness add': witnessAdd,
  'witness list': witnessList,
  'witness remove': witnessRemove,
  'witness send': witnessSend,
};
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
