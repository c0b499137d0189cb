/**
 * The chief's Reminders page and the status badges in a real browser (Debian's chromium through
 * playwright-core), against the built server started as `npm start` starts it, on a fresh SQLite
 * file (docs/decisions.md W33):
 * - with a contract that does not cover the school an SRO is assigned to, the dashboard reports
 *   CONTRACT_FOR_EACH_ASSIGNMENT violated and the chief's Reminders page lists the agency's
 *   obligation as overdue, under "The agency", with its citation; the CSV link gives the same;
 * - an officer whose 2027 deadline is pending, with no restricted duties, is "Conditional" without
 *   the words "restricted duties"; an officer in the six-month grace is "Conditional: restricted duties".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { addDays, localDateAt, MINNESOTA_TIME_ZONE } from '../../projections';
import { describeInBrowser, expectAccessible, launchBrowser, screenshot } from '../support/browser';
import { buildCli, lastLine, root, runCli } from '../support/cli-process';

jest.setTimeout(120_000);

const PASSWORD = 'correct horse battery staple';
const AGENCY = 'ramsey-so';

/** `serve --port 0` on a fresh store; resolves once it listens, with the first-run link it printed. */
function startServe(env: NodeJS.ProcessEnv): Promise<{ url: string; setupLink: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(root, 'dist/src/cli/main.js'), 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /listening on (http:\/\/\S+)\/api/.exec(output);
      const setup = /First run: .*\n(http:\S+\/setup\?token=\S+)\n/.exec(output);
      if (listening && setup) {
        clearTimeout(timer);
        resolve({ url: listening[1], setupLink: setup[1], child });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code ?? signal}):\n${output}`));
    });
  });
}

describeInBrowser('the agency’s obligations on the Reminders page, and the Conditional badge', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let server: Awaited<ReturnType<typeof startServe>>;
  let browser: Browser;
  let token: string;
  const contexts: BrowserContext[] = [];
  const today = localDateAt(new Date(), MINNESOTA_TIME_ZONE);

  const api = async (path: string, body: unknown): Promise<void> => {
    const res = await fetch(`${server.url}/api/agencies/${AGENCY}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  };

  const newPage = async (): Promise<Page> => {
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    return context.newPage();
  };

  const setPassword = async (page: Page, link: string) => {
    await page.goto(link);
    await page.getByLabel('New password').fill(PASSWORD);
    await page.getByLabel('Confirm password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.waitForURL(`${server.url}/`);
  };

  beforeAll(async () => {
    buildCli();
    dir = mkdtempSync(join(tmpdir(), 'sro-reminders-'));
    env = { ...process.env, SRO_STORE: `sqlite:${join(dir, 'sro.db')}`, SRO_KEY_FILE: join(dir, 'ledger-key.pem'), HOST: '127.0.0.1' };
    server = await startServe(env);
    env.SRO_PUBLIC_URL = server.url;
    browser = await launchBrowser();

    // First run: the agency and its first admin, through the printed link.
    const admin = await newPage();
    await admin.goto(server.setupLink);
    await admin.getByLabel('Agency ID').fill(AGENCY);
    await admin.getByLabel('Agency name').fill('Ramsey County Sheriff');
    await admin.getByLabel('Your name').fill('Robin Clerk');
    await admin.getByLabel('Email').fill('robin@ramsey.example.gov');
    await admin.getByLabel('New password').fill(PASSWORD);
    await admin.getByLabel('Confirm password').fill(PASSWORD);
    await admin.getByRole('button', { name: 'Set password' }).click();
    await admin.waitForURL(`${server.url}/`);

    const created = runCli(env, 'token', 'create', '--agency', AGENCY, '--role', 'admin', '--name', 'records script');
    expect(created.status).toBe(0);
    token = lastLine(created);
    await api('/policies', { version: 'v1', adoptedOn: '2025-08-01' });
    // The one contract covers another school than the SRO's.
    await api('/contracts', {
      contractId: 'isd625',
      district: 'ISD 625',
      schools: ['Harding High'],
      effectiveFrom: '2025-08-01',
      clauses: { dutiesPerSubd2: '§2', attire: '§3', districtRoleInSelection: '§4', deescalationResources: '§5', publicNotification: '§6', dataPractices: '§7' },
    });
    // Morgan Lee: trained, certificate on file, policy reviewed; assigned to a school the contract does not name.
    await api('/officers', { officerId: 'mlee', name: 'Morgan Lee' });
    await api('/officers/mlee/assignments', { assignmentId: 'a1', schools: ['Como Park High', 'Harding High'], startDate: '2025-09-02' });
    await api('/officers/mlee/trainings', { trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2025-08-20' });
    await api('/officers/mlee/trainings/t1/certificate', { sha256: 'c'.repeat(64), fileName: 'lee-basic.pdf', filedOn: '2025-08-25' });
    await api('/officers/mlee/policy-reviews', { version: 'v1', reviewedOn: '2025-08-28' });
    // Jesse Hart: an older NASRO course before 2025-09-01, serving since 2024: the 2027 deadline pending, no duty restricted.
    await api('/officers', { officerId: 'jhart', name: 'Jesse Hart' });
    await api('/officers/jhart/trainings', { trainingId: 'old', course: 'NASRO_BASIC', completedOn: '2024-06-15' });
    await api('/officers/jhart/assignments', { assignmentId: 'h1', schools: ['Harding High'], startDate: '2024-09-03' });
    await api('/officers/jhart/policy-reviews', { version: 'v1', reviewedOn: '2025-08-28' });
    // Quinn Avery: the course unavailable, within the six-month grace: duties (4) and (5) restricted.
    const start = addDays(today, -30);
    await api('/officers', { officerId: 'qavery', name: 'Quinn Avery' });
    await api('/officers/qavery/assignments', { assignmentId: 'g1', schools: ['Harding High'], startDate: start });
    await api('/officers/qavery/assignments/g1/training-unavailable', { declaredOn: start, reason: 'no course offered this term' });
    await api('/officers/qavery/policy-reviews', { version: 'v1', reviewedOn: start });
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    server?.child.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the chief opens Reminders and sees the uncovered school as the agency’s overdue obligation, as the dashboard reports it', async () => {
    const link = lastLine(runCli(env, 'user', 'invite', '--agency', AGENCY, '--role', 'chief', '--email', 'casey@ramsey.example.gov', '--name', 'Casey Chief'));
    const chief = await newPage();
    await setPassword(chief, link);

    // The dashboard: the agency's obligation violated since the assignment's first day.
    const finding = chief.locator('tr[data-rule="CONTRACT_FOR_EACH_ASSIGNMENT"]');
    expect(await finding.locator('[data-outcome]').getAttribute('data-outcome')).toBe('VIOLATED');
    expect(await finding.innerText()).toContain('Como Park High');

    await chief.getByRole('link', { name: 'Reminders' }).click();
    await chief.waitForURL(/\/reminders$/);
    const sentence = await chief.locator('#axes-sentence').innerText();
    expect(sentence).not.toMatch(/ 0 overdue/);
    const row = chief.locator('tr[data-rule="CONTRACT_FOR_EACH_ASSIGNMENT"]:not([data-officer-id])');
    await expect(row.count()).resolves.toBe(1);
    expect(await row.getAttribute('class')).toBe('overdue');
    expect(Number(await row.getAttribute('data-days-left'))).toBeLessThan(0);
    const text = await row.innerText();
    expect(text).toContain('The agency');
    expect(text).toMatch(/\d+ days overdue/);
    expect(text).toContain('2 September 2025'); // due the day the school went uncovered
    expect(text).toContain('Como Park High');
    expect(text).toContain('Minn. Stat. 626.8482 subd. 1(c)');
    // The column says whom each row is about, in words.
    await expect(chief.getByRole('columnheader', { name: 'Officer or agency' }).count()).resolves.toBe(1);
    await expectAccessible(chief);
    await screenshot(chief, 'reminders-agency-overdue');

    // The same at the widest horizon, beside the officers' own.
    await chief.getByLabel('Due within').selectOption('365');
    await chief.getByRole('button', { name: 'Show' }).click();
    await expect(chief.locator('tr[data-rule="CONTRACT_FOR_EACH_ASSIGNMENT"]:not([data-officer-id]).overdue').count()).resolves.toBe(1);
    await expect(chief.locator('tr[data-officer-id="jhart"][data-rule="LEGACY_COURSE_2027"]').count()).resolves.toBe(1);
  });

  it('"Conditional" says restricted duties only where duties are restricted', async () => {
    const admin = await newPage();
    await admin.goto('/sign-in');
    await admin.getByLabel('Email').fill('robin@ramsey.example.gov');
    await admin.getByLabel('Password').fill(PASSWORD);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.waitForURL(`${server.url}/`);

    const legacy = admin.locator('tr[data-officer-id="jhart"] [data-status]');
    expect(await legacy.getAttribute('data-status')).toBe('CONDITIONAL');
    expect(await legacy.innerText()).not.toMatch(/restricted/i);
    const grace = admin.locator('tr[data-officer-id="qavery"] [data-status]');
    expect(await grace.getAttribute('data-status')).toBe('CONDITIONAL');
    expect(await grace.innerText()).toBe('Conditional: restricted duties');

    await admin.goto('/officers/jhart');
    const badge = admin.locator('.status-line [data-status]');
    expect(await badge.getAttribute('data-status')).toBe('CONDITIONAL');
    expect(await badge.innerText()).toBe('Conditional: a deadline is pending');
    await expect(admin.getByRole('heading', { name: 'Restricted duties' }).count()).resolves.toBe(0);
    expect(await admin.locator('ol.intervals').innerText()).not.toMatch(/restricted/i);
    await expectAccessible(admin);

    await admin.goto('/officers/qavery');
    expect(await admin.locator('.status-line [data-status]').innerText()).toBe('Conditional: restricted duties');
    await expect(admin.getByRole('heading', { name: 'Restricted duties' }).count()).resolves.toBe(1);
  });
});
