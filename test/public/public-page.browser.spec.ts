/**
 * What outsiders see, in Chromium (docs/reference.md "Public page"; docs/console.md): the public
 * page of an agency that turned it on (`agency public --on`) states its SRO policy version in
 * force and the schools where an SRO is assigned today, names no officer, sets no cookie, may be
 * cached, and passes axe; another agency's is a 404, and so is the first once turned off. Its
 * checkpoint.txt verifies with the published verifier key and `verify --checkpoint` accepts the
 * copy. A chief signed in to the console downloads the evidence packet with the dashboard's
 * button, and it verifies. Screenshots: test-results/public-page.png, test-results/dashboard-evidence.png.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { parseVerifierKey, verifyCheckpoint } from '../../events/checkpoint';
import { addDays, localDateAt, MINNESOTA_TIME_ZONE } from '../../projections';
import { Accounts } from '../../src/auth/accounts';
import { verifyEvidence } from '../../src/evidence/verify/verify-evidence';
import { startHarness, type Harness } from '../e2e/http-harness';
import { describeInBrowser, expectAccessible, launchBrowser, screenshot } from '../support/browser';
import { runMain } from '../support/cli-in-process';

jest.setTimeout(120_000);

const A = 'lakeview-pd';
const B = 'hidden-pd';
const PASSWORD = 'correct horse battery staple';

describeInBrowser('the public page and the dashboard’s evidence packet', () => {
  let h: Harness;
  let browser: Browser;
  let base: string;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let key: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sro-public-'));
    h = await startHarness({ store: 'sqlite:' });
    await h.app.listen(0, '127.0.0.1');
    base = (await h.app.getUrl()).replace('[::1]', '127.0.0.1');
    env = { ...process.env, SRO_STORE: h.storeUrl, SRO_KEY_FILE: h.keyFile, NODE_ENV: 'test' };
    const tokens = await h.agency(A);
    await h.agency(B);
    const today = localDateAt(new Date(), MINNESOTA_TIME_ZONE);
    const post = (path: string, body: object) => h.http().post(`/api/agencies/${A}${path}`).set('Authorization', `Bearer ${tokens.admin}`).send(body).expect(201);
    await post('/policies', { version: '2025-10', adoptedOn: '2025-08-15', modelRevision: '2025-10-23' });
    await post('/officers', { officerId: 'jdoe', name: 'Jordan Doe' });
    await post('/officers/jdoe/assignments', { assignmentId: 'hs', schools: ['Central High School', 'Lakeview Middle School'], startDate: '2025-09-02' });
    await post('/officers', { officerId: 'sroe', name: 'Sam Roe' });
    await post('/officers/sroe/assignments', { assignmentId: 'old', schools: ['Closed Elementary'], startDate: '2025-09-02' });
    await post('/officers/sroe/assignments/old/end', { endDate: addDays(today, -10) });
    key = (await h.http().get('/api/ledger/key').set('Authorization', `Bearer ${tokens.admin}`).expect(200)).text.trim();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is off by default: 404 for both agencies', async () => {
    for (const agency of [A, B]) await h.http().get(`/public/${agency}`).expect(404);
    await h.http().get(`/public/${A}/checkpoint.txt`).expect(404);
  });

  it('once turned on: the policy in force and the schools served today, no officer, cacheable, accessible', async () => {
    const on = await runMain(env, 'agency', 'public', '--agency', A, '--on');
    expect(on.status).toBe(0);
    expect(on.stdout).toMatch(/The public page of agency lakeview-pd is on/);
    const res = await h.http().get(`/public/${A}`).expect(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.headers['set-cookie']).toBeUndefined();
    await h.http().get(`/public/${B}`).expect(404);

    const page = await (await browser.newContext({ viewport: { width: 1000, height: 900 } })).newPage();
    const answer = await page.goto(`${base}/public/${A}`);
    expect(answer?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe(`${A} Police Department: School Resource Officers`);
    const text = await page.locator('main').innerText();
    expect(text).toMatch(/The SRO policy in force is version 2025-10, adopted on 2025-08-15, following the POST Board model SRO policy of 2025-10-23/);
    expect(await page.locator('main ul li').allInnerTexts()).toEqual(['Central High School', 'Lakeview Middle School']);
    expect(text).not.toMatch(/Jordan|Doe|Sam Roe|Closed Elementary|COMPLIANT/);
    expect(text).toContain(key);
    await expectAccessible(page);
    await page.emulateMedia({ media: 'print' });
    await screenshot(page, 'public-page');

    const bad = await page.goto(`${base}/public/${B}`);
    expect(bad?.status()).toBe(404);
    await expectAccessible(page);
  });

  it('publishes the latest checkpoint: it verifies with the key, and verify --checkpoint accepts the copy', async () => {
    const res = await h.http().get(`/public/${A}/checkpoint.txt`).expect(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    const checkpoint = verifyCheckpoint(res.text, parseVerifierKey(key));
    expect(checkpoint.treeSize).toBeGreaterThan(0);
    const copy = join(dir, 'witness-checkpoint.txt');
    writeFileSync(copy, res.text);
    const verified = await runMain(env, 'verify', '--checkpoint', copy, '--public-key', key);
    expect(verified.status).toBe(0);
  });

  it('a chief downloads the evidence packet with the dashboard’s button, and it verifies', async () => {
    const invitation = await h.app.get(Accounts).invite({ agencyId: A, role: 'chief', email: 'casey@lakeview.example.gov', name: 'Casey Chief' }, 'test-setup');
    const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`/welcome?token=${encodeURIComponent(invitation.secret)}`);
    await page.getByLabel('New password').fill(PASSWORD);
    await page.getByLabel('Confirm password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.waitForURL(`${base}/`);
    await page.getByLabel('As of').fill('2025-10-01');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/asOf=2025-10-01/);
    const button = page.getByRole('button', { name: 'Download the evidence packet' });
    await button.scrollIntoViewIfNeeded();
    await screenshot(page, 'dashboard-evidence');
    await expectAccessible(page);
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toBe(`${A}-evidence-2025-10-01.zip`);
    const file = join(dir, 'from-dashboard.zip');
    await download.saveAs(file);
    const verdict = await verifyEvidence(readFileSync(file), { publicKey: key });
    expect(verdict).toMatchObject({ ok: true, agencyId: A, officers: 2 });
    await context.close();
  });

  it('an investigator downloads it from the home page, choosing the two times; a time that is not one is a page saying so', async () => {
    const invitation = await h.app.get(Accounts).invite({ agencyId: A, role: 'investigator', email: 'ivy@bca.example.gov', name: 'Ivy Investigator' }, 'test-setup');
    const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`/welcome?token=${encodeURIComponent(invitation.secret)}`);
    await page.getByLabel('New password').fill(PASSWORD);
    await page.getByLabel('Confirm password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.waitForURL(`${base}/`);
    await expectAccessible(page);
    const form = page.getByRole('form', { name: 'Evidence packet' });
    await form.getByLabel('As of').fill('2025-10-01');
    const [download] = await Promise.all([page.waitForEvent('download'), form.getByRole('button', { name: 'Download the evidence packet' }).click()]);
    const file = join(dir, 'from-home.zip');
    await download.saveAs(file);
    expect(await verifyEvidence(readFileSync(file), { publicKey: key })).toMatchObject({ ok: true, agencyId: A });
    await form.getByLabel('Known at').fill('not a time');
    await form.getByRole('button', { name: 'Download the evidence packet' }).click();
    await expect(page.locator('main').innerText()).resolves.toMatch(/Known at: "not a time" is not a time/);
    await context.close();
  });

  it('turned off again: 404', async () => {
    expect((await runMain(env, 'agency', 'public', '--agency', A, '--off')).status).toBe(0);
    await h.http().get(`/public/${A}`).expect(404);
    await h.http().get(`/public/${A}/checkpoint.txt`).expect(404);
    expect((await runMain(env, 'agency', 'public', '--agency', A)).status).toBe(2);
  });
});
