/**
 * The console read by the people it is for, in Debian's chromium (docs/decisions.md W36): the
 * chief's officer record (the name in the heading, the facts a finding rests on in words, the
 * certificates on file with a working PDF link), the investigator's timeline (a retraction names
 * the fact it retracted), many substitute days as one line, a separated officer, a "Known at"
 * before the officer existed and a From later than To (no dead ends), and a ledger tampered in
 * its SQLite file: every page of the chief and the auditor says so, and the integrity page names
 * the altered fact. Every page is checked by axe-core and saved under test-results/reading-*.png.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { addDays } from '../../projections';
import { describeInBrowser, expectAccessible, launchBrowser, screenshot } from '../support/browser';
import { buildCli, lastLine, runCli, startServer } from '../support/cli-process';
import { certificatePdf } from '../support/pdf';
import { editEventData } from '../support/tamper';

jest.setTimeout(120_000);

const PASSWORD = 'correct horse battery staple';
const AGENCY = 'lakeview-pd';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

describeInBrowser('the console as a chief, an auditor and an investigator read it', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let server: { url: string; child: ChildProcess };
  let base: string;
  let browser: Browser;
  let pdf: Buffer;
  let token: string;
  let beforeRegistration: string;
  const contexts: BrowserContext[] = [];
  const links: Partial<Record<'admin' | 'chief' | 'auditor' | 'investigator', string>> = {};

  const api = async (path: string, body: unknown): Promise<{ eventId: string }> => {
    const res = await fetch(`${server.url}/agencies/${AGENCY}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { eventId: string };
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  const EMAILS = { admin: 'rory@lakeview.example.gov', chief: 'casey@lakeview.example.gov', auditor: 'ari@county.example.gov', investigator: 'ivy@bca.example.gov' };

  /** A new browser signed in as `who`: through the one-time link the first time (setting the password), then with the sign-in form. */
  const as = async (who: 'admin' | 'chief' | 'auditor' | 'investigator'): Promise<Page> => {
    const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    if (links[who]) {
      await page.goto(links[who]!);
      delete links[who];
      await page.getByLabel('New password').fill(PASSWORD);
      await page.getByLabel('Confirm password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Set password' }).click();
    } else {
      await page.goto('/sign-in');
      await page.getByLabel('Email').fill(EMAILS[who]);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
    }
    await page.waitForURL(`${base}/`);
    return page;
  };

  beforeAll(async () => {
    buildCli();
    dir = mkdtempSync(join(tmpdir(), 'sro-reading-'));
    // The server verifies the ledger every 2 seconds, so the tampering below is found quickly.
    env = { ...process.env, SRO_STORE: `sqlite:${join(dir, 'sro.db')}`, SRO_KEY_FILE: join(dir, 'ledger-key.pem'), HOST: '127.0.0.1', SRO_VERIFY_INTERVAL: '2' };
    expect(runCli(env, 'agency', 'create', '--id', AGENCY, '--name', 'Lakeview Police Department').status).toBe(0);
    const created = runCli(env, 'token', 'create', '--agency', AGENCY, '--role', 'admin', '--name', 'records script');
    expect(created.status).toBe(0);
    token = lastLine(created);
    server = await startServer(env);
    base = server.url.replace(/\/api$/, '');
    env.SRO_PUBLIC_URL = base;
    for (const [role, name] of [
      ['admin', 'Rory Records'],
      ['chief', 'Casey Chief'],
      ['auditor', 'Ari Auditor'],
      ['investigator', 'Ivy Investigator'],
    ] as const) {
      const invited = runCli(env, 'user', 'invite', '--agency', AGENCY, '--role', role, '--email', EMAILS[role], '--name', name);
      expect(invited.status).toBe(0);
      links[role] = lastLine(invited);
    }
    browser = await launchBrowser();
    pdf = await certificatePdf('Certificate of completion: Avery Quinn, Minnesota SRO basic course');

    beforeRegistration = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 1100));
    await api('/policies', { version: 'v1', adoptedOn: '2025-08-01' });
    await api('/officers', { officerId: 'o-1', name: 'Avery Quinn', licenseNumber: 'L-100' });
    await api('/officers/o-1/assignments', { assignmentId: 'a-1', schools: ['Central High'], startDate: '2025-09-15' });
    await api('/officers/o-1/policy-reviews', { version: 'v1', reviewedOn: '2025-09-10' });
    const mistaken = await api('/officers/o-1/trainings', { trainingId: 't-wrong', course: 'NASRO_BASIC', completedOn: '2025-09-11' });
    await api('/officers/o-1/retractions', { eventId: mistaken.eventId, reason: 'entered for the wrong officer' });
    await api('/officers/o-1/trainings', { trainingId: 't-1', course: 'MN_SRO_BASIC', completedOn: '2025-09-12', courseNumber: 'SRO-2025-017' });
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'quinn-basic.pdf');
    form.append('filedOn', '2025-09-20');
    const filed = await fetch(`${server.url}/agencies/${AGENCY}/officers/o-1/trainings/t-1/certificate`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    expect(filed.status).toBe(201);

    // Sam Sutter: a substitute with 61 contact days (2 September to 1 November 2025); the 60th brings the training rules.
    await api('/officers', { officerId: 'o-2', name: 'Sam Sutter' });
    await api('/officers/o-2/policy-reviews', { version: 'v1', reviewedOn: '2025-08-20' });
    let day = '2025-09-01';
    for (let n = 0; n < 61; n++) {
      day = addDays(day, 1);
      await api('/officers/o-2/substitute-days', { date: day, school: n % 2 ? 'North Middle' : 'Central High' });
    }
    // Dana Reyes left the agency.
    await api('/officers', { officerId: 'o-3', name: 'Dana Reyes' });
    await api('/officers/o-3/assignments', { assignmentId: 'a-3', schools: ['South Middle'], startDate: '2025-09-02' });
    await api('/officers/o-3/separation', { separatedOn: '2026-01-31', reason: 'LEFT_AGENCY' });
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    server?.child.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the chief: the record is headed by the name, the findings rest on facts in words, and the certificate on file downloads', async () => {
    const page = await as('chief');
    await page.locator('tr[data-officer-id="o-1"] a').first().click();
    await page.waitForURL(/\/officers\/o-1/);
    expect(await page.locator('h1').innerText()).toMatch(/^Avery Quinn\s+\(o-1\)$/);

    const restsOn = page.locator('tr[data-rule="TRAINING_BEFORE_DUTY"] td').last();
    expect(await restsOn.innerText()).toContain('Training completed, 12 September 2025: Completed the Minnesota SRO basic course on 12 September 2025');
    expect(await page.locator('table.findings').innerText()).not.toMatch(UUID);

    await expect(page.getByRole('heading', { name: 'Certificates on file' }).isVisible()).resolves.toBe(true);
    const row = page.locator('table.certificates tr[data-training-id="t-1"]');
    const text = await row.innerText();
    expect(text).toContain('Minnesota SRO basic course');
    expect(text).toContain('12 September 2025');
    expect(text).toContain('20 September 2025');
    expect(text).toContain(createHash('sha256').update(pdf).digest('hex'));
    // The certificate the finding rests on links to its row.
    await page.locator('tr[data-rule="CERTIFICATE_ON_FILE"]').getByRole('link', { name: 'Certificate filed' }).click();
    expect(page.url()).toMatch(/#certificate-t-1$/);
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: 'quinn-basic.pdf' }).click()]);
    expect(Buffer.compare(readFileSync(await download.path()), pdf)).toBe(0);
    await expectAccessible(page);
    await screenshot(page, 'reading-chief-officer-record');
  });

  it('the investigator: a retraction names the fact it retracted (type, officer, effective date, what it said)', async () => {
    const page = await as('investigator');
    await page.goto('/officers/o-1');
    const retraction = page.locator('table.timeline tr[data-event-id]', { hasText: 'Event retracted' });
    const words = await retraction.innerText();
    expect(words).toContain('Retracted “Training completed, effective 11 September 2025: Completed the NASRO basic SRO course on 11 September 2025 (training t-wrong)”, because: entered for the wrong officer');
    expect(words).not.toMatch(UUID);
    await retraction.getByRole('link', { name: 'the retracted record' }).click();
    expect(page.url()).toMatch(/#event-/);
    await expectAccessible(page);
    await screenshot(page, 'reading-investigator-timeline');
  });

  it('many substitute days are one line in "Rests on"; a separated officer says so beside the status', async () => {
    const page = await as('auditor');
    // Under 60 contact days the exemption rests on every one of them.
    await page.goto('/officers/o-2?asOf=2025-10-30');
    const restsOn = page.locator('tr[data-rule="SUBSTITUTE_60_DAYS"] td').last();
    expect(await restsOn.innerText()).toBe('59 substitute days served, 2 September 2025 to 30 October 2025, at Central High, North Middle');
    expect(await restsOn.locator('a').count()).toBe(1);
    await expectAccessible(page);
    await screenshot(page, 'reading-substitute-days');

    await page.goto('/officers/o-3?asOf=2026-02-15');
    expect(await page.locator('.status-line [data-status]').getAttribute('data-status')).toBe('NOT_ASSIGNED');
    expect(await page.locator('.status-line').innerText()).toContain('Separated on 31 January 2026 (left the agency)');
  });

  it('no dead ends: "Known at" before the officer existed, and a From later than To', async () => {
    const page = await as('auditor');
    // An officer ID that does not exist: a plain sentence, with or without Known at.
    for (const path of ['/officers/nobody', `/officers/nobody?knownAt=${encodeURIComponent(beforeRegistration)}`]) {
      const missing = await page.goto(path);
      expect(missing!.status()).toBe(404);
      expect(await page.locator('main').innerText()).toContain('There is no officer with the ID "nobody" in the records of your agency.');
    }

    const res = await page.goto(`/officers/o-1?asOf=2025-10-01&knownAt=${encodeURIComponent(beforeRegistration)}`);
    expect(res!.status()).toBe(200);
    const problem = await page.locator('.problems').innerText();
    expect(problem).toMatch(/Avery Quinn \(o-1\) was not registered yet; the registration was recorded at \d+ \w+ 2026 \d\d:\d\d:\d\d C[SD]T/);
    expect(problem).not.toMatch(/\d{4}-\d\d-\d\dT/);
    expect(await page.locator('#axes-sentence').innerText()).toMatch(/as the records stand now/);
    await screenshot(page, 'reading-known-at-before-registration');

    // A Known at still to come is said in Minnesota time, not as the API's ISO instant.
    await page.goto(`/officers/o-1?knownAt=${encodeURIComponent('2099-01-01 10:00')}`);
    expect(await page.locator('.problems').innerText()).toContain('Known at: 1 January 2099 10:00 CST is still to come');
    expect(await page.locator('.problems').innerText()).not.toMatch(/knownAt|\d{4}-\d\d-\d\dT/);

    // Counts in words: one officer is "1 officer".
    await page.goto('/?q=Quinn');
    expect(await page.locator('main').innerText()).toContain('1 of 2 officers matches');
    expect(await page.getByRole('link', { name: 'Download this officer as CSV' }).count()).toBe(1);

    // An 11 MB PDF: a page that says what to do and leads back to the form, not a bare "Too large".
    // The form's own CSRF token goes first, as the browser sends it: an upload without it is refused before its body is read.
    const clerk = await as('admin');
    await clerk.goto('/officers/o-1/records/certificate');
    const csrf = await clerk.locator('input[name="_csrf"]').first().inputValue();
    const big = await clerk.request.post(`${base}/officers/o-1/records/certificate`, {
      multipart: { _csrf: csrf, trainingId: 't-1', filedOn: '2025-09-20', file: { name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(11 * 1024 * 1024, 0x25) } },
    });
    expect(big.status()).toBe(413);
    const bigPage = await big.text();
    expect(bigPage).toContain('<h1>The file is too large</h1>');
    expect(bigPage).toContain('Nothing was recorded: the file is larger than 10 MB.');
    expect(bigPage).toContain('href="/officers/o-1/records/certificate">open the form again</a>');

    await page.goto(`/officers/o-1?asOf=2025-10-01&knownAt=${encodeURIComponent(beforeRegistration)}`);
    // The form's To is empty (now), so "what changed since" the moment in Known at is what it shows.
    expect(await page.getByLabel('To (empty for now)').inputValue()).toBe('');
    const later = await page.goto(`/officers/o-1/changes?asOf=2025-10-01&from=${encodeURIComponent(new Date().toISOString())}&to=${encodeURIComponent(beforeRegistration)}`);
    expect(later!.status()).toBe(200);
    expect(await page.locator('main .notice').innerText()).toContain('From was later than To');
    expect(await page.locator('#recorded-between').innerText()).toMatch(/Events recorded in between \(\d+\)/);
    expect(await page.locator('main').innerText()).toContain('Training completed');
    await expectAccessible(page);
    // A From still to come, with To left empty (now), is said so, in Minnesota time.
    const future = await page.goto(`/officers/o-1/changes?asOf=2025-10-01&from=${encodeURIComponent('2099-01-01 10:00')}&to=`);
    expect(future!.status()).toBe(400);
    expect(await page.locator('.problems').innerText()).toContain('From: 1 January 2099 10:00 CST is still to come');
  });

  it('a ledger altered in its SQLite file: every page of the chief and the auditor says so; the integrity page names the altered fact', async () => {
    const chief = await as('chief');
    expect(await chief.locator('[data-integrity-alarm]').count()).toBe(0);

    const altered = await editEventData({ dbPath: join(dir, 'sro.db'), storeUrl: env.SRO_STORE! }, `officer-${AGENCY}/o-1`, 'TrainingCompleted', (json) => json.replace('2025-09-11', '2025-08-11'));
    expect(altered).toMatch(UUID);
    // The server's own verification runs every 2 seconds.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      await chief.goto('/');
      if ((await chief.locator('[data-integrity-alarm]').count()) > 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const path of ['/', '/officers/o-1', '/reminders']) {
      await chief.goto(path);
      expect({ path, banner: await chief.locator('[data-integrity-alarm]').innerText() }).toEqual({ path, banner: expect.stringMatching(/^Warning: the records failed their integrity check at \d+ \w+ \d{4} \d\d:\d\d C[SD]T\./) });
    }
    await expectAccessible(chief);
    await screenshot(chief, 'reading-chief-tamper-banner');

    const auditor = await as('auditor');
    expect(await auditor.locator('[data-integrity-alarm]').innerText()).toContain('Tell your agency’s admin or an investigator');
    await auditor.goto('/officers/o-2');
    expect(await auditor.locator('[data-integrity-alarm]').count()).toBe(1);

    const investigator = await as('investigator');
    await investigator.getByRole('link', { name: 'See what was found on the Integrity page' }).click();
    expect(await investigator.locator('[data-integrity]').getAttribute('data-integrity')).toBe('broken');
    const fact = await investigator.locator('[data-broken-fact]').innerText();
    expect(fact).toMatch(/^Training completed for Avery Quinn \(o-1\), effective 11 August 2025: Completed the NASRO basic SRO course/);
    await expectAccessible(investigator);
    await screenshot(investigator, 'reading-integrity-broken');
  });
});
