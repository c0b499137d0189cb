/**
 * The Integrity page lists the agency's witnesses (docs/integrity.md "Witnesses"; docs/console.md):
 * an admin signed in sees each witness, when they were named and the last checkpoint each was
 * sent, in words, and the page passes axe. Screenshot: test-results/integrity-witnesses.png.
 */
import type { Browser } from 'playwright-core';
import { AccessRegistry } from '../../src/auth/access-registry';
import { Accounts } from '../../src/auth/accounts';
import { CheckpointService } from '../../src/ledger/checkpoint-service';
import { WitnessCheckpoints } from '../../src/witnesses';
import { describeInBrowser, expectAccessible, launchBrowser, screenshot } from '../support/browser';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { AGENCY, startNoticeServer, type NoticeServer } from '../notices/notice-harness';

jest.setTimeout(120_000);

const PASSWORD = 'correct horse battery staple';

describeInBrowser('the Integrity page’s witnesses', () => {
  let smtp: TestSmtp;
  let server: NoticeServer;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    server = await startNoticeServer({ smtpUrl: smtp.url });
    await server.app.listen(0, '127.0.0.1');
    base = (await server.app.getUrl()).replace('[::1]', '127.0.0.1');
    const registry = server.app.get(AccessRegistry);
    await registry.addWitness({ agencyId: AGENCY, email: 'attorney@co.dakota.example.gov', name: 'Dakota County Attorney', recordedBy: 'test-setup' });
    await registry.addWitness({ agencyId: AGENCY, email: 'dpd@isd194.example.org', name: 'Robin Park', recordedBy: 'test-setup' });
    await server.app.get(CheckpointService).issue();
    await server.app.get(WitnessCheckpoints).runAgency(AGENCY, server.clock.now);
    await registry.addWitness({ agencyId: AGENCY, email: 'late@isd194.example.org', name: 'Named Later', recordedBy: 'test-setup' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await smtp?.close();
  });

  it('lists each witness with the last copy sent, in words, and passes axe', async () => {
    const invitation = await server.app.get(Accounts).invite({ agencyId: AGENCY, role: 'admin', email: 'ada@lakeville.example.gov', name: 'Ada Admin' }, 'test-setup');
    const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`/welcome?token=${encodeURIComponent(invitation.secret)}`);
    await page.getByLabel('New password').fill(PASSWORD);
    await page.getByLabel('Confirm password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.waitForURL(`${base}/`);
    await page.goto('/integrity');
    const table = page.getByRole('table', { name: 'The agency’s witnesses and the last checkpoint each was sent' });
    await table.scrollIntoViewIfNeeded();
    const row = (email: string) => table.locator(`tr[data-witness="${email}"]`).innerText();
    await expect(row('attorney@co.dakota.example.gov')).resolves.toMatch(/Dakota County Attorney\s+attorney@co\.dakota\.example\.gov\s+.+\s+The checkpoint of \d+ events, sent /);
    await expect(row('dpd@isd194.example.org')).resolves.toMatch(/The checkpoint of \d+ events, sent /);
    await expect(row('late@isd194.example.org')).resolves.toMatch(/None yet$/);
    await screenshot(page, 'integrity-witnesses');
    await expectAccessible(page);
    await context.close();
  });
});
