/**
 * Sign-in through the agency's identity provider in Chromium (playwright-core), against a real
 * OpenID Connect provider (oidc-provider 9 in this process, test/support/oidc-provider.ts) and
 * the server in this process on a fresh SQLite file: the sign-in page's "Sign in with City IT"
 * leads to the provider, and back to the dashboard with the role the person's group maps to;
 * a person without a mapped group gets "No access yet" naming whom to ask, and no session; the
 * admin sees Identity providers and Your sessions, and signs out everywhere. Every page is checked
 * with axe-core, and screenshots are kept in test-results/.
 */
import type { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { RegisterAgencyCommand } from '../../src/agencies/register-agency';
import { Accounts } from '../../src/auth/accounts';
import { createHttpApp } from '../../src/http/create-http-app';
import { IdentityProviders } from '../../src/identity/identity-providers';
import { describeInBrowser, expectAccessible, launchBrowser, screenshot } from '../support/browser';
import { startTestProvider, type TestProvider } from '../support/oidc-provider';

jest.setTimeout(120_000);

describeInBrowser('sign-in through the identity provider in Chromium', () => {
  let dir: string;
  let app: INestApplication;
  let base: string;
  let idp: TestProvider;
  let browser: Browser;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sro-oidc-browser-'));
    app = await createHttpApp({ store: `sqlite:${join(dir, 'sro.db')}`, logger: false, ledger: { keyFile: join(dir, 'ledger-key.pem') } });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    await app.get(CommandBus).execute(new RegisterAgencyCommand({ agencyId: 'pd', recordedBy: 'test', correlationId: randomUUID() }, 'Test PD'));
    // A local admin the "no access" page can name.
    const invitation = await app.get(Accounts).invite({ agencyId: 'pd', role: 'admin', email: 'clerk@pd.example.gov', name: 'Casey Clerk' }, 'test');
    await app.get(Accounts).setPassword(invitation.secret, 'lilac tractor mustard canyon', 'lilac tractor mustard canyon');
    idp = await startTestProvider([`${base}/auth/oidc/callback`]);
    idp.people.set('alice', { email: 'alice@city.example', email_verified: true, name: 'Alice Admin', groups: ['SRO-Admins'] });
    idp.people.set('carol', { email: 'carol@city.example', email_verified: true, name: 'Carol Chief', groups: ['SRO-Chiefs'] });
    idp.people.set('bob', { email: 'bob@city.example', email_verified: true, name: 'Bob', groups: ['Cafeteria'] });
    await app.get(IdentityProviders).add({ agencyId: 'pd', name: 'City IT', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, roles: ['SRO-Admins=admin', 'SRO-Chiefs=chief'] }, 'test');
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await idp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function throughProvider(login: string): Promise<{ page: Page; close: () => Promise<void> }> {
    const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto('/sign-in');
    await page.getByRole('button', { name: 'Sign in with City IT' }).click();
    await page.waitForURL(`${idp.issuer}/interaction/**`);
    await page.getByLabel('Username').fill(login);
    await page.getByRole('button', { name: 'Continue at the provider' }).click();
    await page.waitForURL((url) => url.href.startsWith(base) && !url.pathname.startsWith('/auth/oidc/start'));
    await page.waitForLoadState('load');
    return { page, close: () => context.close() };
  }

  it('the sign-in page shows the provider’s button beside the local form', async () => {
    const context = await browser.newContext({ baseURL: base });
    const page = await context.newPage();
    await page.goto('/sign-in');
    await expect(page.getByRole('button', { name: 'Sign in with City IT' }).count()).resolves.toBe(1);
    await expect(page.getByLabel('Email').count()).resolves.toBe(1);
    await expect(page.getByLabel('Password').count()).resolves.toBe(1);
    await expectAccessible(page);
    await screenshot(page, 'oidc-sign-in-page');
    await context.close();
  });

  it('a person whose group maps to chief lands on the dashboard as chief', async () => {
    const { page, close } = await throughProvider('carol');
    expect(new URL(page.url()).pathname).toBe('/');
    await expect(page.getByText('Carol Chief').count()).resolves.toBeGreaterThan(0);
    // A chief does not see People.
    await expect(page.getByRole('link', { name: 'People' }).count()).resolves.toBe(0);
    await expectAccessible(page);
    await screenshot(page, 'oidc-signed-in-chief');
    await close();
  });

  it('a person without a mapped group is told whom to ask, and has no session', async () => {
    const { page, close } = await throughProvider('bob');
    await expect(page.getByRole('heading', { name: 'No access yet' }).count()).resolves.toBe(1);
    await expect(page.getByText('clerk@pd.example.gov').count()).resolves.toBe(1);
    await expectAccessible(page);
    await screenshot(page, 'oidc-no-access');
    await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await close();
  });

  it('an admin sees the providers page and their sessions, and signs out everywhere', async () => {
    const { page, close } = await throughProvider('alice');
    await page.getByRole('link', { name: 'Identity providers' }).click();
    await expect(page.getByRole('row', { name: /City IT/ }).count()).resolves.toBe(1);
    await expect(page.getByText(`${base}/auth/oidc/callback`).count()).resolves.toBeGreaterThan(0);
    await expectAccessible(page);
    await screenshot(page, 'oidc-identity-providers');
    await page.getByRole('link', { name: 'Your sessions' }).click();
    await expect(page.getByText('through City IT').count()).resolves.toBe(1);
    await expectAccessible(page);
    await screenshot(page, 'oidc-your-sessions');
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.waitForURL(`${base}/sign-in`);
    await expect(page.getByText('You are signed out everywhere').count()).resolves.toBe(1);
    await close();
  });
});
