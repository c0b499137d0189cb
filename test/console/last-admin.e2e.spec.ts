/**
 * The agency's last active admin keeps the role (docs/decisions.md W35), in `Accounts` itself,
 * which the console's People page and the CLI's `user role` / `user disable` both use: on a real
 * SQLite file, decided against the caught-up access stream in the same append.
 */
import type { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegisterAgencyCommand } from '../../src/agencies/register-agency';
import { Accounts } from '../../src/auth/accounts';
import { createHttpApp } from '../../src/http/create-http-app';
import { Conflict } from '../../src/write/refusals';

const PASSWORD = 'lilac tractor mustard canyon';

let app: INestApplication;
let dir: string;
let accounts: Accounts;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sro-last-admin-'));
  app = await createHttpApp({ store: `sqlite:${join(dir, 'sro.db')}`, logger: false, ledger: { keyFile: join(dir, 'key.pem') } });
  await app.init();
  accounts = app.get(Accounts);
  for (const agencyId of ['pd', 'other-pd']) {
    await app.get(CommandBus).execute(new RegisterAgencyCommand({ agencyId, recordedBy: 'test', correlationId: randomUUID() }, `${agencyId} name`));
  }
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An account with its password set (active), or only invited. */
async function person(agencyId: string, role: string, email: string, active = true) {
  const invitation = await accounts.invite({ agencyId, role, email, name: email.split('@')[0] }, 'test');
  if (active) await accounts.setPassword(invitation.secret, PASSWORD, PASSWORD);
  return invitation.account;
}

const roleOf = async (agencyId: string, email: string) => (await accounts.list(agencyId)).find((a) => a.email === email)!;

it('refuses to demote or disable the only active admin; an invited admin, a disabled one or another agency’s does not count', async () => {
  await person('pd', 'admin', 'ada@pd.example.gov');
  await person('pd', 'admin', 'ivy@pd.example.gov', false); // invited, never set a password
  await person('other-pd', 'admin', 'oz@other.example.gov');
  await person('pd', 'chief', 'cy@pd.example.gov');

  const demote = accounts.changeRole('pd', 'ada@pd.example.gov', 'chief', 'ada@pd.example.gov');
  await expect(demote).rejects.toBeInstanceOf(Conflict);
  await expect(demote).rejects.toThrow(/ada@pd\.example\.gov is the last active admin of agency pd \(the only one who can sign in and manage its people and records\): changing the role to chief would lock the agency out of the console/);
  await expect(accounts.disable('pd', 'ada@pd.example.gov', 'left', 'cy@pd.example.gov')).rejects.toThrow(/ada@pd\.example\.gov is the last active admin of agency pd .*: disabling the account would lock the agency out/);
  const ada = await roleOf('pd', 'ada@pd.example.gov');
  expect([ada.role, ada.disabledAt]).toEqual(['admin', undefined]);

  // Other accounts change freely, the invited admin included.
  await accounts.changeRole('pd', 'ivy@pd.example.gov', 'auditor', 'ada@pd.example.gov');
  await accounts.changeRole('pd', 'cy@pd.example.gov', 'investigator', 'ada@pd.example.gov');

  // A second active admin: now either may go, but not both.
  await person('pd', 'admin', 'bo@pd.example.gov');
  await accounts.disable('pd', 'bo@pd.example.gov', 'on leave', 'ada@pd.example.gov');
  await expect(accounts.changeRole('pd', 'ada@pd.example.gov', 'chief', 'ada@pd.example.gov')).rejects.toThrow(/last active admin/);
  await accounts.enable('pd', 'bo@pd.example.gov', 'ada@pd.example.gov');
  await accounts.changeRole('pd', 'ada@pd.example.gov', 'chief', 'ada@pd.example.gov');
  expect((await roleOf('pd', 'ada@pd.example.gov')).role).toBe('chief');
  await expect(accounts.changeRole('pd', 'bo@pd.example.gov', 'auditor', 'bo@pd.example.gov')).rejects.toThrow(/bo@pd\.example\.gov is the last active admin of agency pd/);
});

it('two admins demoting each other at the same moment: one is refused, the agency keeps an admin', async () => {
  await person('other-pd', 'admin', 'pat@other.example.gov');
  const results = await Promise.allSettled([
    accounts.changeRole('other-pd', 'oz@other.example.gov', 'chief', 'pat@other.example.gov'),
    accounts.changeRole('other-pd', 'pat@other.example.gov', 'chief', 'oz@other.example.gov'),
  ]);
  expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  const admins = (await accounts.list('other-pd')).filter((a) => a.role === 'admin');
  expect(admins).toHaveLength(1);
});
