#!/usr/bin/env node
/**
 * The command line (SPEC §5): `npm run --silent cli -- <command>` or the `sro-compliance` bin.
 * The store is chosen by SRO_STORE (default sqlite:./data/sro.db). Commands go through the same
 * command bus and access registry as the HTTP API, so the same invariants hold.
 */
import 'reflect-metadata';
import { HttpException, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { ROLES, Role } from '../../events/access';
import { agencyStream, ID_PATTERN } from '../../events/streams';
import { RegisterAgencyCommand } from '../agencies/register-agency';
import { AppModule } from '../app.module';
import { AccessRegistry } from '../auth/access-registry';
import { listenAddress, storeUrl, UsageError } from '../config';
import { createHttpApp } from '../http/create-http-app';
import { EVENT_STORE, EventStore } from '../store/event-store.port';
import type { WriteResult } from '../write/ledger-writer';

const USAGE = `usage: sro-compliance <command> [options]     (store: SRO_STORE, default sqlite:./data/sro.db)

  agency create --id <agencyId> --name <name>
  token create --agency <agencyId> --role <admin|auditor|chief|investigator> --name <label>
  token revoke --agency <agencyId> --name <label> [--reason <text>]
  token list --agency <agencyId>
  serve [--port <port>]                     (PORT, HOST; default 127.0.0.1:3000)
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

const cliUser = (): string => `cli:${userInfo().username}`;

async function withContext<T>(run: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  const app = await NestFactory.createApplicationContext(AppModule.register({ store: storeUrl() }), { logger: false });
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
    app.get(CommandBus).execute<RegisterAgencyCommand, WriteResult>(
      new RegisterAgencyCommand({ agencyId, recordedBy: cliUser(), correlationId: randomUUID() }, name),
    ),
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
  const grant = await withContext((app) => app.get(AccessRegistry).revoke({ agencyId, name, reason, recordedBy: cliUser() }));
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
  console.log(`sro-compliance listening on http://${host}:${actualPort}/api (store ${url})`);
  console.log(`Health: curl http://${host}:${actualPort}/api/health`);
  console.log('First time here? Register your agency and make an admin token (in another terminal):');
  console.log('  npm run --silent cli -- agency create --id demo-pd --name "Demo Police Department"');
  console.log('  npm run --silent cli -- token create --agency demo-pd --role admin --name "Records admin"');
}

const COMMANDS: Record<string, (options: Options) => Promise<void>> = {
  'agency create': agencyCreate,
  'token create': tokenCreate,
  'token revoke': tokenRevoke,
  'token list': tokenList,
  serve,
};

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
        reason: { type: 'string' },
        port: { type: 'string' },
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
  const key = positionals[0] === 'serve' ? 'serve' : positionals.slice(0, 2).join(' ');
  const command = COMMANDS[key];
  if (!command) {
    console.error(`unknown command: ${positionals.join(' ')}\n\n${USAGE}`);
    return 2;
  }
  try {
    await command(values as Options);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      return 2;
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
