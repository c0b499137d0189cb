/**
 * Proof of notice in a real browser (Debian's chromium through playwright-core): the chief opens
 * the link of the digest as received by a real SMTP server, is sent to sign in and back, sees the
 * notice (opening it recorded nothing), presses Acknowledge, and finds the acknowledgement on the
 * officer's record. The account page and the notice page pass axe-core; screenshots go to
 * test-results/.
 */
import { createServer, type AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { agencyStream } from '../../events/streams';
import { Accounts } from '../../src/auth/accounts';
import { describeInBrowser, expectAccessible, launchBrowser, screenshot } from '../support/browser';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { AGENCY, startNoticeServer, type NoticeServer } from './notice-harness';

jest.setTimeout(120_000);

const PASSWORD = 'correct horse battery staple';
const EMAIL = 'pat.chief@lakeville.example.gov';

/** A free port on this machine (asked of the system, then given back), for the server's public address. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describeInBrowser('a chief acknowledges a reminder notice from the e-mail’s link', () => {
  let smtp: TestSmtp;
  let server: NoticeServer;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = await startNoticeServer({ smtpUrl: smtp.url, publicUrl: base });
    await server.app.listen(port, '127.0.0.1');
    const accounts = server.app.get(Accounts);
    const invitation = await accounts.invite({ agencyId: AGENCY, role: 'chief', email: EMAIL, name: 'Pat Chief' }, 'test-setup');
    await accounts.setPassword(invitation.secret, PASSWORD, PASSWORD);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await smtp?.close();
  });

  it('opens the link, signs in, acknowledges, and the officer’s record shows it', async () => {
    server.clock.set('2026-12-07');
    await server.digest.runAgency(AGENCY);
    const mail = smtp.messages.find((m) => (m.to && 'text' in m.to ? m.to.text : '').includes(EMAIL))!;
    expect(mail).toBeDefined();
    const link = new RegExp(`${base}/notices/[0-9a-f-]{36}`).exec(mail.text ?? '')![0];
    expect(mail.html).toContain(`href="${link}"`);

    const page = await (await browser.newContext()).newPage();
    await page.goto(link);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(link);
    await expect(page.locator('#ack-state').textContent()).resolves.toContain('Not acknowledged yet.');
    await expect(page.locator('#notice-sentence').textContent()).resolves.toContain('Sent by e-mail to Pat Chief');
    await expect(page.locator('table').textContent()).resolves.toContain('Jordan Doe');
    // Opening the page (twice, as a mail scanner and the person did) recorded nothing.
    const acks = async () => (await server.store.readStream(agencyStream(AGENCY))).filter((e) => e.type === 'ReminderNoticeAcknowledged');
    expect(await acks()).toHaveLength(0);
    await expectAccessible(page);
    await screenshot(page, 'notice-before-acknowledge');

    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.waitForURL(link);
    await expect(page.locator('#ack-state').textContent()).resolves.toContain(`Acknowledged by ${EMAIL}`);
    expect(await acks()).toHaveLength(1);
    expect((await acks())[0].data).toMatchObject({ by: EMAIL });
    await screenshot(page, 'notice-acknowledged');

    await page.goto(`${base}/officers/jdoe`);
    const row = page.locator('#notices tbody tr', { hasText: 'Pat Chief' });
    await expect(row.locator('td[data-acknowledged]').getAttribute('data-acknowledged')).resolves.toBe('yes');
    await expect(row.textContent()).resolves.toContain(`Yes, by ${EMAIL}`);
    await expect(row.textContent()).resolves.toContain('REFRESHER_3_YEARS: due 10 January 2027, 34 days left');
    // The timeline is the investigator's and the auditor's; the chief's record shows the notices section.
    await screenshot(page, 'officer-record-notices');

    // The account page: the digest on, the calendar feed created and shown again.
    await page.goto(`${base}/account`);
    await expect(page.locator('#notices-state').textContent()).resolves.toContain('On: each day at 23:59 Minnesota time');
    await page.getByRole('button', { name: 'Create my calendar feed address' }).click();
    const feed = await page.getByLabel('Your calendar feed address').inputValue();
    expect(feed).toMatch(new RegExp(`^${base}/calendar/[A-Za-z0-9_-]+\\.ics$`));
    await page.goto(`${base}/account`);
    await expect(page.getByLabel('Your calendar feed address').inputValue()).resolves.toBe(feed);
    await page.getByRole('button', { name: 'Turn reminders by e-mail off' }).click();
    await expect(page.locator('#notices-state').textContent()).resolves.toContain('Off');
    await expectAccessible(page);
    await screenshot(page, 'account');
  });
});
