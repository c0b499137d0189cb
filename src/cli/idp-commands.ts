/**
 * The command line's identity-provider commands (docs/reference.md#command-line; docs/decisions.md
 * W56, W59): `idp add`, `idp list`, `idp remove`, `idp passwords`, through the same service as the
 * admin page (src/identity/identity-providers.ts). The client secret given to `idp add` is sealed
 * at once and never printed, neither here nor by `idp list`.
 */
import { UsageError } from '../config';
import { IdentityProviders } from '../identity/identity-providers';
import { publicUrl } from './account-commands';
import { cliUser, identifier, printRows, READ_ONLY, required, requireAgency, withContext, type Options } from './cli-context';

/** A repeatable option's values (commander collects them: cli-help.ts). */
function repeated(options: Options, name: string): string[] {
  const value = (options as Record<string, unknown>)[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

export async function idpAdd(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const name = required(options, 'name');
  const issuer = required(options, 'issuer');
  const clientId = required(options, 'client-id');
  const clientSecret = required(options, 'client-secret');
  const roles = repeated(options, 'role');
  if (roles.length === 0) throw new UsageError('--role <group>=<role> is required (once per group, e.g. --role SRO-Admins=admin --role SRO-Chiefs=chief)');
  const { added, keyFile } = await withContext(async (app) => {
    await requireAgency(app, agencyId);
    const providers = app.get(IdentityProviders);
    return { added: await providers.add({ agencyId, name, issuer, clientId, clientSecret, groupsClaim: options['groups-claim'], roles }, cliUser()), keyFile: providers.secretKeyFile };
  });
  console.log(`Identity provider "${added.name}" of agency ${agencyId} added (id ${added.providerId}); the sign-in page shows "Sign in with ${added.name}".`);
  console.log(`Groups claim: ${added.groupsClaim}; ${added.roles.map((r) => `${r.group} → ${r.role}`).join(', ')}.`);
  console.log(`The client secret is sealed with the key ${keyFile} (keep it with the ledger's signing key) and is not shown again.`);
  console.log(`Register this redirect URI at the provider: ${publicUrl()}/auth/oidc/callback (scopes: openid email profile).`);
}

export async function idpList(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const providers = await withContext((app) => app.get(IdentityProviders).list(agencyId), READ_ONLY);
  printRows(
    options,
    ['name', 'issuer', 'clientId', 'groupsClaim', 'roles', 'providerId', 'addedAt', 'addedBy'],
    providers.map((p) => ({ name: p.name, issuer: p.issuer, clientId: p.clientId, groupsClaim: p.groupsClaim, roles: p.roles.map((r) => `${r.group}=${r.role}`).join(' '), providerId: p.providerId, addedAt: p.addedAt, addedBy: p.addedBy })),
  );
}

export async function idpRemove(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const name = required(options, 'name');
  const { provider, passwordsBackOn } = await withContext((app) => app.get(IdentityProviders).remove(agencyId, name, cliUser()));
  console.log(`Identity provider "${provider.name}" of agency ${agencyId} removed.${passwordsBackOn ? ' It was the last one: password sign-in is on again.' : ''}`);
}

export async function idpPasswords(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  if (!!options.on === !!options.off) throw new UsageError('give one of --on (people may sign in with a password) or --off (through a provider only)');
  const allowed = !!options.on;
  await withContext((app) => app.get(IdentityProviders).setPasswordSignIn(agencyId, allowed, cliUser()));
  console.log(allowed ? `Password sign-in is on for agency ${agencyId}.` : `Password sign-in is off for agency ${agencyId}: its people sign in through its identity provider only.`);
}
