/**
 * Who gets in through an identity provider (src/identity/provider-sign-in.ts), table-driven: the
 * claims a provider sends, the accounts as the access stream has them, and the events recorded
 * or the refusal given. Also the role mappings as typed, and the sealed client secret.
 */
import type { Account, IdentityProvider } from '../../src/auth/access-registry';
import { loadSecretKey, openSecret, sealSecret, secretKeyFileBeside } from '../../src/identity/client-secret-seal';
import { decideProviderSignIn, parseRoleMapping, type Claims, type Decision } from '../../src/identity/provider-sign-in';
import { mkdtempSync, rmSync, statSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PROVIDER: IdentityProvider = {
  providerId: 'p1',
  agencyId: 'pd',
  name: 'City IT',
  issuer: 'https://login.example',
  clientId: 'c',
  clientSecretSealed: 'v1...',
  groupsClaim: 'groups',
  roles: [
    { group: 'SRO-Admins', role: 'admin' },
    { group: 'SRO-Chiefs', role: 'chief' },
  ],
  addedAt: '2026-12-01T00:00:00.000Z',
  addedBy: 'cli:test',
};

const account = (over: Partial<Account>): Account => ({
  userId: 'u-local',
  agencyId: 'pd',
  role: 'auditor',
  email: 'pat@city.example',
  name: 'Pat',
  invitedAt: '2026-01-01T00:00:00.000Z',
  invitedBy: 'x',
  links: new Map(),
  ...over,
});

const base: Claims = { sub: 's-1', email: 'Pat@City.example', email_verified: true, name: 'Pat Doe', groups: ['Everyone', 'SRO-Chiefs', 'SRO-Admins'] };

function decide(claims: Claims, accounts: Account[] = []): Decision {
  return decideProviderSignIn(
    PROVIDER,
    claims,
    {
      accountOfSubject: (providerId, subject) => accounts.find((a) => a.subjects?.get(providerId) === subject),
      accountByEmail: (email) => accounts.find((a) => a.email === email),
    },
    () => 'u-new',
  );
}

const summary = (d: Decision) => ('refused' in d ? `refused: ${d.refused.reason}` : `${d.account.role}: ${d.events.map((e) => e.type).join(', ') || 'nothing recorded'}`);

describe('who gets in through a provider (docs/decisions.md W57)', () => {
  it.each<[string, Claims, Account[], string]>([
    ['a new person: account created, the first mapping they have decides (admin before chief in the provider\u2019s order)', base, [], 'admin: UserSignedUpThroughProvider'],
    ['groups as one string', { ...base, groups: 'SRO-Chiefs' }, [], 'chief: UserSignedUpThroughProvider'],
    ['no group that maps', { ...base, groups: ['Cafeteria'] }, [], 'refused: no-mapped-group'],
    ['no groups claim at all', { ...base, groups: undefined }, [], 'refused: no-mapped-group'],
    ['Entra groups overage (_claim_names instead of groups)', { ...base, groups: undefined, _claim_names: { groups: 'src1' } }, [], 'refused: groups-overage'],
    ['email not verified', { ...base, email_verified: false }, [], 'refused: no-verified-email'],
    ['email_verified missing', { ...base, email_verified: undefined }, [], 'refused: no-verified-email'],
    ["Entra's xms_edov stands for email_verified", { ...base, email_verified: undefined, xms_edov: true }, [], 'admin: UserSignedUpThroughProvider'],
    ['no email', { ...base, email: undefined }, [], 'refused: no-verified-email'],
    ['no subject', { ...base, sub: '' }, [], 'refused: no-subject'],
    ['a local account of the same email: linked, role from the provider', base, [account({})], 'admin: UserLinkedToProvider, UserRoleChanged'],
    ['a linked account with the same role: nothing recorded', { ...base, groups: ['SRO-Chiefs'] }, [account({ role: 'chief', subjects: new Map([['p1', 's-1']]) })], 'chief: nothing recorded'],
    ['a linked account whose group changed: the new role', { ...base, groups: ['SRO-Chiefs'] }, [account({ role: 'admin', subjects: new Map([['p1', 's-1']]) })], 'chief: UserRoleChanged'],
    ['a disabled account stays out', base, [account({ disabledAt: '2026-06-01T00:00:00.000Z' })], 'refused: disabled'],
    ['an account of another agency', base, [account({ agencyId: 'other' })], 'refused: other-agency'],
    ['an email whose account is linked to another subject of this provider', base, [account({ subjects: new Map([['p1', 's-other']]) })], 'refused: other-subject'],
  ])('%s', (_, claims, accounts, expected) => {
    expect(summary(decide(claims, accounts))).toBe(expected);
  });

  it('records the lower-cased email, the name and the subject of a new account', () => {
    const d = decide(base);
    expect('events' in d && d.events[0]).toEqual({
      type: 'UserSignedUpThroughProvider',
      data: { userId: 'u-new', agencyId: 'pd', role: 'admin', email: 'pat@city.example', name: 'Pat Doe', providerId: 'p1', subject: 's-1' },
    });
  });
});

describe('role mappings as typed (--role <group>=<role>)', () => {
  it.each([
    ['SRO-Admins=admin', { group: 'SRO-Admins', role: 'admin' }],
    ['a=b=chief', { group: 'a=b', role: 'chief' }],
    [' 6f1c-guid = auditor ', { group: '6f1c-guid', role: 'auditor' }],
  ])('%p', (text, expected) => expect(parseRoleMapping(text)).toEqual(expected));

  it.each(['SRO-Admins', '=admin', 'SRO-Admins=', 'SRO-Admins=root'])('refuses %p', (text) => expect(typeof parseRoleMapping(text)).toBe('string'));
});

describe('the sealed client secret (docs/decisions.md W56)', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'sro-seal-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lives beside the ledger key', () => {
    expect(secretKeyFileBeside('/x/keys/data/sro.db.ledger-key.pem')).toBe('/x/keys/data/sro.db.idp-secret-key');
    expect(secretKeyFileBeside('/x/data/ledger-key.db@host-5432.pem')).toBe('/x/data/idp-secret-key.db@host-5432');
    expect(secretKeyFileBeside('/x/my.pem')).toBe('/x/my.pem.idp-secret-key');
  });

  it('opens with its key and provider id only; the key file is 0600 and refused when others can read it', () => {
    const file = join(dir, 'keys', 'idp-secret-key');
    const key = loadSecretKey(file, true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const sealed = sealSecret(key, 'p1', 'the secret');
    expect(sealed).not.toContain('the secret');
    expect(openSecret(key, 'p1', sealed)).toBe('the secret');
    expect(() => openSecret(key, 'p2', sealed)).toThrow(/does not open/);
    expect(() => openSecret(loadSecretKey(join(dir, 'other-key'), true), 'p1', sealed)).toThrow(/does not open/);
    chmodSync(file, 0o644);
    expect(() => loadSecretKey(file, false)).toThrow(/accessible to others/);
    expect(() => loadSecretKey(join(dir, 'missing'), false)).toThrow(/does not exist/);
  });
});
