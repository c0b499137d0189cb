/**
 * The command line's agency, token and person commands (docs/reference.md#command-line): writes
 * through the command bus and the access registry, as the HTTP API's.
 */
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { ROLES, Role } from '../../events/access';
import { RegisterAgencyCommand } from '../agencies/register-agency';
import { CheckpointService } from '../ledger/checkpoint-service';
import { AccessRegistry } from '../auth/access-registry';
import { Accounts } from '../auth/accounts';
import { consoleOptionsFrom } from '../console/console-options';
import { listenAddress, UsageError } from '../config';
import { type Options, required, identifier, printRows, cliUser, READ_ONLY, withContext, requireAgency } from './cli-context';


export async function agencyCreate(options: Options): Promise<void> {
  const agencyId = identifier(options, 'id');
  const name = required(options, 'name');
  const result = await withContext((app) =>
    app.get(CommandBus).execute(new RegisterAgencyCommand({ agencyId, recordedBy: cliUser(), correlationId: randomUUID() }, name)),
  );
  console.log(`Agency ${agencyId} (${name}) registered: event ${result.eventId} at ${result.recordedAt}`);
}

export async function tokenCreate(options: Options): Promise<void> {
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

export async function tokenRevoke(options: Options): Promise<void> {
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

export async function tokenList(options: Options): Promise<void> {
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
export function publicUrl(): string {
  const configured = consoleOptionsFrom(process.env).publicUrl;
  if (configured) return configured;
  const { host, port } = listenAddress(process.env);
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export const welcomeLink = (secret: string): string => `${publicUrl()}/welcome?token=${encodeURIComponent(secret)}`;

export async function userInvite(options: Options): Promise<void> {
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

export async function userReset(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const email = required(options, 'email');
  const invitation = await withContext((app) => app.get(Accounts).issueReset(agencyId, email, cliUser()));
  console.log(`A new sign-in link for ${invitation.account.email}; it works once, until ${invitation.expiresAt}, and every earlier link of this account stops working now:`);
  console.log(welcomeLink(invitation.secret));
}

export async function userRole(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const account = await withContext((app) => app.get(Accounts).changeRole(agencyId, required(options, 'email'), required(options, 'role'), cliUser()));
  console.log(`${account.email} now has the role ${account.role}; it applies from their next page.`);
}

export async function userDisable(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const account = await withContext((app) => app.get(Accounts).disable(agencyId, required(options, 'email'), options.reason?.trim() || 'disabled from the command line', cliUser()));
  console.log(`${account.email} is disabled; their session ends on their next page.`);
}

export async function userEnable(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const account = await withContext((app) => app.get(Accounts).enable(agencyId, required(options, 'email'), cliUser()));
  console.log(`${account.email} is enabled again.`);
}

export async function userList(options: Options): Promise<void> {
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
