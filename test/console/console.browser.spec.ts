/**
 * The web console in a real browser (docs/reference.md#web-console): Debian's chromium driven by
 * playwright-core against the built server started as `npm start` starts it (`serve`), on a fresh
 * SQLite file.
 *
 * Journeys: first-run setup through the printed link; the admin invites a chief on the People page
 * and the chief sets a password through the invitation link; the chief sees a due reminder; the
 * auditor (invited with `user invite` on the CLI) opens an officer from the dashboard, changes "As
 * of" so the status visibly changes, then "Known at" so a late-recorded training disappears, and
 * asks what changed between the two instants; the investigator sees a retraction struck through;
 * a wrong role gets a 403 page; a POST without the CSRF token is refused; sign-out ends the
 * session; repeated bad passwords lock the account. axe-core runs on every page (no serious or
 * critical violation), and every page is saved as a screenshot under test-results/.
 */
import type { ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { certificatePdf } from '../support/pdf';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { addDays, localDateAt, MINNESOTA_TIME_ZONE } from '../../projections';
import { buildCli, lastLine, runCli } from '../support/cli-process';
import { describeInBrowser, expectAccessible, launchBrowser, screenshot } from '../support/browser';
import { spawn } from 'node:child_process';
import { root } from '../support/cli-process';

jest.setTimeout(120_000);

const PASSWORD = 'correct horse battery staple';
const AGENCY = 'lakeview-pd';

interface Server {
  url: string;
  setupLink?: string;
  child: ChildProcess;
  output: () => string;
}

/** `serve --port 0` as a user runs it; resolves once it listens, with the first-run link it printed. */
async function startServe(env: NodeJS.ProcessEnv): Promise<Server> {
  const child = spawn(process.execPath, [join(root, 'dist/src/cli/main.js'), 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise<Server>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /listening on (http:\/\/\S+)\/api/.exec(output);
      // A fresh store: the first-run link is printed after the listening line.
      const setup = /First run: .*\n(http:\S+\/setup\?token=\S+)\n/.exec(output);
      if (listening && setup) {
        clearTimeout(timer);
        resolve({ url: listening[1], setupLink: setup[1], child, output: () => output });
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

describeInBrowser('the web console in a browser', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let server: Server;
  let browser: Browser;
  let pdf: Buffer;
  let token: string;
  /** Between the first records and the late-recorded training. */
  let beforeLateTraining: string;
  const today = localDateAt(new Date(), MINNESOTA_TIME_ZONE);
  const contexts: BrowserContext[] = [];

  const api = async (method: 'POST', path: string, body: unknown): Promise<{ eventId: string }> => {
    const res = await fetch(`${server.url}/api/agencies/${AGENCY}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { eventId: string };
    if (res.status !== 201) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  const newPage = async (): Promise<Page> => {
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    return context.newPage();
  };

  const signIn = async (page: Page, email: string, password = PASSWORD) => {
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  const setPassword = async (page: Page, link: string) => {
    await page.goto(link);
    await page.getByLabel('New password').fill(PASSWORD);
    await page.getByLabel('Confirm password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();
  };

  const invite = (role: string, email: string, name: string) => {
    const result = runCli(env, 'user', 'invite', '--agency', AGENCY, '--role', role, '--email', email, '--name', name);
    expect(result.status).toBe(0);
    return lastLine(result);
  };

  beforeAll(async () => {
    buildCli();
    dir = mkdtempSync(join(tmpdir(), 'sro-console-'));
    env = { ...process.env, SRO_STORE: `sqlite:${join(dir, 'sro.db')}`, SRO_KEY_FILE: join(dir, 'ledger-key.pem'), HOST: '127.0.0.1' };
    server = await startServe(env);
    env.SRO_PUBLIC_URL = server.url;
    browser = await launchBrowser();
    pdf = await certificatePdf('Certificate of completion: Emery Stone, Minnesota SRO basic course');
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    server?.child.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('first run: the printed setup link creates the agency and its first admin, who lands on the dashboard', async () => {
    expect(server.setupLink).toMatch(/\/setup\?token=/);
    const page = await newPage();
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshot(page, 'sign-in');

    await page.goto(server.setupLink!);
    await expectAccessible(page);
    await screenshot(page, 'setup');
    await page.getByLabel('Agency ID').fill(AGENCY);
    await page.getByLabel('Agency name').fill('Lakeview Police Department');
    await page.getByLabel('Your name').fill('Robin Clerk');
    await page.getByLabel('Email').fill('robin@lakeview.example.gov');
    await page.getByLabel('New password').fill(PASSWORD);
    await page.getByLabel('Confirm password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.waitForURL(`${server.url}/`);
    await expect(page.getByRole('heading', { name: 'Agency dashboard' }).isVisible()).resolves.toBe(true);
    expect(await page.locator('#axes-sentence').innerText()).toMatch(/^Status on \d+ \w+ \d{4}, as the records stand now \(.* C[SD]T\)\.$/);

    // The link worked once.
    const again = await newPage();
    const res = await again.goto(server.setupLink!);
    expect(res!.status()).toBe(404);
  });

  it('records arrive through the API (a script with a token), and the dashboard shows them with a status per row', async () => {
    const created = runCli(env, 'token', 'create', '--agency', AGENCY, '--role', 'admin', '--name', 'import script');
    expect(created.status).toBe(0);
    token = lastLine(created);
    await api('POST', '/policies', { version: 'v1', adoptedOn: '2025-08-01' });
    await api('POST', '/officers', { officerId: 'o-1', name: 'Avery Quinn', licenseNumber: 'L-100' });
    await api('POST', '/officers/o-1/assignments', { assignmentId: 'a-1', schools: ['Central High'], startDate: '2025-09-15' });
    await api('POST', '/officers/o-1/policy-reviews', { version: 'v1', reviewedOn: '2025-09-10' });
    const mistaken = await api('POST', '/officers/o-1/trainings', { trainingId: 't-wrong', course: 'NASRO_BASIC', completedOn: '2025-09-11' });
    await api('POST', '/officers/o-1/retractions', { eventId: mistaken.eventId, reason: 'entered for the wrong officer' });
    await new Promise((r) => setTimeout(r, 1100));
    beforeLateTraining = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 1100));
    await api('POST', '/officers/o-1/trainings', { trainingId: 't-1', course: 'MN_SRO_BASIC', completedOn: '2025-09-12', courseNumber: 'SRO-2025-017' });
    await api('POST', '/officers/o-1/trainings/t-1/certificate', { sha256: 'a'.repeat(64), fileName: 'quinn-basic.pdf', filedOn: '2025-09-20' });
    // Blake Rivera: the course was not available, so it is due within six months of the start (a reminder within 60 days).
    const start = addDays(today, -150);
    await api('POST', '/officers', { officerId: 'o-2', name: 'Blake Rivera' });
    await api('POST', '/officers/o-2/assignments', { assignmentId: 'a-2', schools: ['North Middle'], startDate: start });
    await api('POST', '/officers/o-2/assignments/a-2/training-unavailable', { declaredOn: start, reason: 'no course offered this term' });
    await api('POST', '/officers/o-2/policy-reviews', { version: 'v1', reviewedOn: start });

    const page = await newPage();
    await signIn(page, 'robin@lakeview.example.gov');
    await page.waitForURL(`${server.url}/`);
    await expect(page.locator('tr[data-officer-id="o-1"] [data-status]').getAttribute('data-status')).resolves.toBe('COMPLIANT');
    await expect(page.locator('tr[data-officer-id="o-2"] [data-status]').getAttribute('data-status')).resolves.toBe('CONDITIONAL');
    await expectAccessible(page);
    await screenshot(page, 'dashboard');

    // Filter, search and the CSV of what is shown.
    await page.getByLabel('Filter by status').selectOption('CONDITIONAL');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page.locator('tr[data-officer-id]').count()).resolves.toBe(1);
    const csv = await page.request.get(`${server.url}/?status=CONDITIONAL&format=csv`);
    expect(csv.headers()['content-type']).toMatch(/text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^o-2,Blake Rivera,CONDITIONAL,/);
  });

  it('the admin registers an officer and assigns them with the forms; a refusal shows beside its field and keeps what was typed', async () => {
    const page = await newPage();
    await signIn(page, 'robin@lakeview.example.gov');
    await page.getByRole('link', { name: 'Register an officer' }).click();
    await expectAccessible(page);
    await page.getByLabel('Officer ID').fill('o-1');
    await page.getByLabel('Full name').fill('Someone Else');
    await page.getByRole('button', { name: 'Register the officer' }).click();
    expect(await page.locator('#field-officerId-error').innerText()).toMatch(/already registered/);
    expect(await page.getByLabel('Full name').inputValue()).toBe('Someone Else');
    await expectAccessible(page);
    await screenshot(page, 'form-refused');

    await page.getByLabel('Officer ID').fill('o-3');
    await page.getByLabel('Full name').fill('Dana Reyes');
    await page.getByRole('button', { name: 'Register the officer' }).click();
    await page.waitForURL(`${server.url}/`);
    expect(await page.locator('.notice').innerText()).toContain('Registered Dana Reyes (o-3).');
    await page.locator('tr[data-officer-id="o-3"] a').first().click();
    expect(await page.locator('.status-line [data-status]').getAttribute('data-status')).toBe('NOT_ASSIGNED');

    await page.getByRole('link', { name: 'Assign as SRO' }).click();
    await page.getByLabel('Assignment ID').fill('ms-2026');
    await page.getByLabel('Schools').fill('South Middle\nEast Elementary');
    await page.getByLabel('First day of duty').fill('2026-09-01');
    // A double click records once: the form carries its own idempotency key.
    await page.getByRole('button', { name: 'Record the assignment' }).dblclick();
    await page.waitForURL(/\/officers\/o-3$/);
    expect(await page.locator('.notice').innerText()).toContain('Recorded assignment ms-2026.');
    expect(await page.locator('.status-line [data-status]').getAttribute('data-status')).toBe('NON_COMPLIANT');
    expect(await page.locator('table.timeline tr[data-event-id]', { hasText: 'Assigned as SRO' }).count()).toBe(1);
    expect(await page.locator('table.timeline').innerText()).toContain('robin@lakeview.example.gov');
  });

  it('the admin invites a chief on the People page; the chief sets a password through the link and sees the due reminder', async () => {
    const admin = await newPage();
    await signIn(admin, 'robin@lakeview.example.gov');
    await admin.goto('/people');
    await expectAccessible(admin);
    await admin.getByLabel('Name', { exact: true }).fill('Casey Chief');
    await admin.getByLabel('Email', { exact: true }).fill('casey@lakeview.example.gov');
    await admin.getByLabel('Role', { exact: true }).selectOption('chief');
    await admin.getByRole('button', { name: 'Invite' }).click();
    const link = await admin.locator('#handover-link').inputValue();
    expect(link).toMatch(/\/welcome\?token=/);
    await screenshot(admin, 'people');

    const chief = await newPage();
    await chief.goto(link);
    await expectAccessible(chief);
    await screenshot(chief, 'set-password');
    await setPassword(chief, link);
    await chief.waitForURL(`${server.url}/`);
    await expect(chief.getByText('Signed in as Casey Chief').isVisible()).resolves.toBe(true);

    await chief.getByRole('link', { name: 'Reminders' }).click();
    const row = chief.locator('tr[data-officer-id="o-2"][data-rule="TRAINING_GRACE_6_MONTHS"]');
    await expect(row.count()).resolves.toBe(1);
    expect(await row.innerText()).toContain('Blake Rivera');
    expect(await row.innerText()).toMatch(/\d+ days left/);
    expect(await row.innerText()).toContain('626.8482 subd. 3(c)');
    await expectAccessible(chief);
    await screenshot(chief, 'reminders');

    // A wrong role gets a 403 page that names the roles that may.
    const forbidden = await chief.goto('/integrity');
    expect(forbidden!.status()).toBe(403);
    expect(await chief.locator('main').innerText()).toMatch(/may be opened by: Admin \(records clerk\), Investigator/);
    await expectAccessible(chief);
    await screenshot(chief, 'forbidden');

    // The link was used up.
    const reused = await newPage();
    await reused.goto(link);
    expect(await reused.locator('main').innerText()).toMatch(/not valid/);
  });

  it('the auditor opens an officer, and the status changes with "As of" and with "Known at"; "what changed" names the late training', async () => {
    const link = invite('auditor', 'ari@county.example.gov', 'Ari Auditor');
    expect(link).toMatch(new RegExp(`^${server.url}/welcome\\?token=`));
    const page = await newPage();
    await setPassword(page, link);
    await page.waitForURL(`${server.url}/`);
    await page.locator('tr[data-officer-id="o-1"] a').first().click();
    await page.waitForURL(/\/officers\/o-1/);
    const badge = page.locator('.status-line [data-status]');
    expect(await badge.getAttribute('data-status')).toBe('COMPLIANT');
    await expectAccessible(page);
    await screenshot(page, 'officer-record');

    await page.getByLabel('As of').fill('2025-09-01');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/asOf=2025-09-01/);
    expect(await badge.getAttribute('data-status')).toBe('NOT_ASSIGNED');
    expect(await page.locator('#axes-sentence').innerText()).toMatch(/^Status on 1 September 2025, as the records stand now/);

    await page.getByLabel('As of').fill('2026-01-15');
    await page.getByLabel('Known at').fill(beforeLateTraining);
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/knownAt=/);
    expect(await badge.getAttribute('data-status')).toBe('NON_COMPLIANT');
    expect(await page.locator('#axes-sentence').innerText()).toMatch(/^Status on 15 January 2026, as the records stood at \d+ \w+ \d{4} \d\d:\d\d:\d\d C[SD]T\.$/);
    expect(await page.locator('table.timeline').innerText()).not.toContain('Minnesota SRO basic course');
    // The URL reproduces the view.
    const again = await newPage();
    await signIn(again, 'ari@county.example.gov');
    await again.goto(page.url());
    expect(await again.locator('.status-line [data-status]').getAttribute('data-status')).toBe('NON_COMPLIANT');

    await page.getByLabel('Known at').fill('');
    await page.getByRole('button', { name: 'Show' }).click();
    expect(await badge.getAttribute('data-status')).toBe('COMPLIANT');
    expect(await page.locator('table.timeline').innerText()).toContain('Minnesota SRO basic course');

    await page.getByLabel('From (records as they stood then)').fill(beforeLateTraining);
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.waitForURL(/\/changes\?/);
    const changes = await page.locator('main').innerText();
    expect(changes).toContain('Completed the Minnesota SRO basic course on 12 September 2025');
    expect(await page.locator('tr[data-rule="TRAINING_BEFORE_DUTY"]').innerText()).toMatch(/Violated[\s\S]*Met/);
    await expectAccessible(page);
    await screenshot(page, 'what-changed');
  });

  it('the investigator sees the retracted training struck through, with who retracted it, when and why; and checks the integrity', async () => {
    const page = await newPage();
    await setPassword(page, invite('investigator', 'ivy@bca.example.gov', 'Ivy Investigator'));
    await page.waitForURL(`${server.url}/`);
    await page.getByLabel('Officer ID').fill('o-1');
    await page.getByRole('button', { name: 'Open the record' }).click();
    await page.waitForURL(/\/officers\/o-1$/);
    const retracted = page.locator('tr[data-retracted="true"]');
    await expect(retracted.count()).resolves.toBe(1);
    await expect(retracted.locator('del').innerText()).resolves.toContain('NASRO basic SRO course');
    expect(await retracted.innerText()).toMatch(/Retracted by import script on .*: entered for the wrong officer/);
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Integrity' }).click();
    expect(await page.locator('[data-integrity]').getAttribute('data-integrity')).toBe('ok');
    const note = await page.locator('pre.checkpoint').innerText();
    expect(note.split('\n')[0]).toMatch(/^sro-compliance\/ledger-/);
    await page.getByLabel('Checkpoint text').fill(note);
    await page.getByRole('button', { name: 'Check the checkpoint' }).click();
    expect(await page.locator('[data-outside-check]').getAttribute('data-outside-check')).toBe('ok');
    await expectAccessible(page);
    await screenshot(page, 'integrity');

    await page.getByLabel('Checkpoint text').fill(note.replace(/\n\d+\n/, '\n1\n'));
    await page.getByRole('button', { name: 'Check the checkpoint' }).click();
    expect(await page.locator('.problems').innerText()).toMatch(/signature/i);
  });

  it('a POST without the CSRF token is refused and changes nothing; sign-out ends the session', async () => {
    const page = await newPage();
    await signIn(page, 'robin@lakeview.example.gov');
    await page.waitForURL(`${server.url}/`);
    const before = runCli(env, 'user', 'list', '--agency', AGENCY);
    const refused = await page.request.post(`${server.url}/people/invite`, { form: { name: 'Mallory', email: 'mallory@example.com', role: 'admin' } });
    expect(refused.status()).toBe(403);
    expect(await refused.text()).toContain('This form was refused');
    const wrongToken = await page.request.post(`${server.url}/sign-out`, { form: { _csrf: 'x'.repeat(43) } });
    expect(wrongToken.status()).toBe(403);
    expect(runCli(env, 'user', 'list', '--agency', AGENCY).stdout).toBe(before.stdout);
    // Still signed in after both refusals.
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Agency dashboard' }).isVisible()).resolves.toBe(true);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in$/);
    expect(await page.locator('main').innerText()).toContain('You have signed out.');
    await page.goto('/reminders');
    await page.waitForURL(/\/sign-in\?next=%2Freminders/);
  });

  it('repeated bad passwords lock the account from this address, also for the right password', async () => {
    const page = await newPage();
    for (let i = 0; i < 5; i++) {
      await signIn(page, 'casey@lakeview.example.gov', `wrong password number ${i}`);
      expect(await page.locator('.problems').innerText()).toMatch(/not right|paused until/);
    }
    await signIn(page, 'casey@lakeview.example.gov');
    expect(await page.locator('.problems').innerText()).toMatch(/from this network address: signing in with it from here is paused until .*new sign-in link/);
    expect(page.url()).toMatch(/\/sign-in$/);
    await expectAccessible(page);
  });

  it('the CSV import: a dry run names the bad row and column; a provider\'s roster is mapped, committed whole, and a re-run records nothing twice', async () => {
    const page = await newPage();
    await signIn(page, 'robin@lakeview.example.gov');
    await page.getByRole('link', { name: 'Import a CSV file' }).click();
    await expectAccessible(page);
    await page.getByLabel('CSV file').setInputFiles({ name: 'days.csv', mimeType: 'text/csv', buffer: Buffer.from('command,officerId,date,school\r\nRecordSubstituteDay,o-3,2026-08-20,South Middle\r\nRecordSubstituteDay,o-3,2026-13-01,South Middle\r\n') });
    await page.getByRole('button', { name: 'Check the file' }).click();
    const problem = page.locator('tr[data-line="3"]');
    await expect(problem.count()).resolves.toBe(1);
    expect(await problem.innerText()).toMatch(/^3\s+date\s+date must be a real calendar date/);
    expect(await page.getByRole('button', { name: /Commit/ }).count()).toBe(0);
    await expectAccessible(page);
    await screenshot(page, 'import-refused');

    const roster = 'Officer ID,Course,Date Completed,Provider\r\no-3,Minnesota SRO Basic (POST approved),2026-08-15,Metro Academy\r\no-1,SRO Refresher,2026-09-01,Metro Academy\r\n';
    await page.goto('/import');
    await page.getByLabel('CSV file').setInputFiles({ name: 'provider-roster.csv', mimeType: 'text/csv', buffer: Buffer.from(roster) });
    await page.getByRole('button', { name: 'Check the file' }).click();
    await expect(page.getByRole('heading', { name: 'Which column is which?' }).isVisible()).resolves.toBe(true);
    expect(await page.getByLabel('Officer ID').inputValue()).toBe('Officer ID');
    expect(await page.getByLabel('Date completed').inputValue()).toBe('Date Completed');
    expect(await page.getByLabel('Minnesota SRO Basic (POST approved)').inputValue()).toBe('MN_SRO_BASIC');
    await page.getByLabel('SRO Refresher').selectOption('MN_SRO_REFRESHER');
    await expectAccessible(page);
    await screenshot(page, 'import-mapping');
    await page.getByRole('button', { name: 'Check with this mapping' }).click();
    expect(await page.locator('[data-import]').getAttribute('data-import')).toBe('ready');
    await page.getByRole('button', { name: 'Commit: record all 2' }).click();
    expect(await page.locator('[data-import]').getAttribute('data-import')).toBe('committed');
    expect(await page.locator('[data-import]').innerText()).toContain('Recorded 2 records from 2 rows');

    // The same file again: the mapping is remembered, and nothing is recorded twice.
    await page.goto('/import');
    await page.getByLabel('CSV file').setInputFiles({ name: 'provider-roster.csv', mimeType: 'text/csv', buffer: Buffer.from(roster) });
    await page.getByRole('button', { name: 'Check the file' }).click();
    expect(await page.getByLabel('SRO Refresher').inputValue()).toBe('MN_SRO_REFRESHER');
    await page.getByRole('button', { name: 'Check with this mapping' }).click();
    expect(await page.locator('[data-import]').innerText()).toContain('2 already recorded (skipped)');
    await page.goto('/officers/o-3');
    expect(await page.locator('table.timeline tr[data-event-id]', { hasText: 'Minnesota SRO basic course' }).count()).toBe(1);
  });

  it('every record form records on success and shows a refusal beside its field (or above the form), recording nothing', async () => {
    const page = await newPage();
    await signIn(page, 'robin@lakeview.example.gov');
    type Step = { form: string; officer?: string; good: Record<string, string>; bad: Record<string, string>; refusal: RegExp; done: RegExp; badAfter?: boolean };
    const steps: Step[] = [
      { form: 'register-officer', good: { 'Officer ID': 'o-4', 'Full name': 'Emery Stone' }, bad: { 'Officer ID': 'bad id!', 'Full name': 'X' }, refusal: /officerId must be/, done: /Registered Emery Stone/ },
      { form: 'adopt-policy', good: { 'Policy version': 'v2', 'Adopted on': '2026-01-10' }, bad: { 'Policy version': '', 'Adopted on': '2026-01-10' }, refusal: /version/, done: /adoption of SRO policy version v2/ },
      {
        form: 'record-contract',
        good: { 'Contract ID': 'c-1', 'School district': 'ISD 100', 'Schools it covers': 'South Middle', 'In force from': '2026-01-01', 'Section on attire': '§ 3' },
        bad: { 'Contract ID': 'c-2', 'School district': '', 'Schools it covers': 'South Middle', 'In force from': '2026-01-01' },
        refusal: /district/,
        done: /Recorded contract c-1 with ISD 100/,
      },
      { form: 'amend-contract', good: { Contract: 'c-1', 'Amendment in force from': '2026-06-01', 'Schools it now covers': 'South Middle\nEast Elementary' }, bad: { Contract: 'c-1' }, refusal: /effectiveOn/, done: /amendment of contract c-1/ },
      { form: 'end-contract', good: { Contract: 'c-1', 'Last day in force': '2027-06-30' }, bad: { 'Last day in force': '2027-06-30' }, refusal: /choose a contract/, done: /end of contract c-1/ },
      { form: 'assign', officer: 'o-4', good: { 'Assignment ID': 'a-4', Schools: 'South Middle', 'First day of duty': '2026-09-01' }, bad: { 'Assignment ID': 'a-5', Schools: '', 'First day of duty': '2026-09-01' }, refusal: /schools/, done: /Recorded assignment a-4/ },
      { form: 'training-unavailable', officer: 'o-4', good: { Assignment: 'a-4', 'Declared on': '2026-09-01', Reason: 'no course this term' }, bad: { 'Declared on': '2026-09-01', Reason: 'x' }, refusal: /choose an assignment/, done: /training was unavailable/ },
      { form: 'substitute-day', officer: 'o-4', good: { 'Dates served': '2026-03-02\n2026-03-03', School: 'North Middle' }, bad: { 'Dates served': '2026-03-04\n2026-02-30', School: 'North Middle' }, refusal: /2026-02-30/, done: /Recorded 2 substitute day\(s\) at North Middle/ },
      { form: 'training', officer: 'o-4', good: { 'Training ID': 't-4', 'Completed on': '2026-10-01', Provider: 'Metro Academy' }, bad: { 'Training ID': 't-5', 'Completed on': '2099-10-01' }, refusal: /completedOn/, done: /Recorded training t-4/ },
      { form: 'certificate', officer: 'o-4', good: { Training: 't-4', 'Certificate (PDF)': 'PDF', 'Filed on': '2026-10-02' }, bad: { Training: 't-4', 'Certificate (PDF)': 'TEXT', 'Filed on': '2026-10-02' }, refusal: /not a PDF/, done: /Filed the certificate stone-basic.pdf for training t-4/ },
      { form: 'policy-review', officer: 'o-4', good: { 'Policy version reviewed': 'v2', 'Reviewed on': '2026-08-20' }, bad: { 'Policy version reviewed': 'v7', 'Reviewed on': '2026-08-20' }, refusal: /v7/, done: /review of policy version v2/ },
      { form: 'correct', officer: 'o-4', good: { 'Correct full name': 'Emery Stone-Hale', Reason: 'name changed at marriage' }, bad: { Reason: 'nothing to change' }, refusal: /./, done: /Recorded the correction/ },
      { form: 'end-assignment', officer: 'o-4', good: { Assignment: 'a-4', 'Last day served': '2026-11-20' }, bad: { 'Last day served': '2026-11-20' }, refusal: /choose an assignment/, done: /end of assignment a-4/ },
      { form: 'separate', officer: 'o-4', good: { 'Separated on': '2026-11-25', Note: 'moved to patrol' }, bad: { 'Separated on': '2026-11-26' }, refusal: /separated/, done: /Recorded the separation/, badAfter: true },
    ];
    const fill = async (values: Record<string, string>) => {
      const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      for (const [label, value] of Object.entries(values)) {
        const field = page.getByLabel(new RegExp(`^${escape(label)}( \\(optional\\))?$`));
        if (label === 'Certificate (PDF)') {
          // A real PDF, or a text file that only pretends to be one by its name.
          const buffer = value === 'PDF' ? pdf : Buffer.from('not a pdf at all');
          await field.setInputFiles({ name: value === 'PDF' ? 'stone-basic.pdf' : 'fake.pdf', mimeType: 'application/pdf', buffer });
        } else if ((await field.evaluate((e) => e.tagName)) === 'SELECT') {
          // The officer's assignments and trainings, and the agency's contracts, are picked from a list.
          await field.selectOption(value);
        } else await field.fill(value);
      }
    };
    for (const step of steps) {
      const url = step.officer ? `/officers/${step.officer}/records/${step.form}` : `/records/${step.form}`;
      const submit = () => page.locator('form[method="post"] button[type="submit"]:not([value="add"])').last().click();
      const refused = async () => {
        await page.goto(url);
        await fill(step.bad);
        await submit();
        expect({ form: step.form, status: await page.locator('.field-error, .problems').allInnerTexts() }).toEqual({ form: step.form, status: expect.arrayContaining([expect.stringMatching(step.refusal)]) });
        await expectAccessible(page);
      };
      if (!step.badAfter) await refused();
      await page.goto(url);
      await fill(step.good);
      await submit();
      expect({ form: step.form, notice: await page.locator('.notice').innerText() }).toEqual({ form: step.form, notice: expect.stringMatching(step.done) });
      if (step.badAfter) await refused();
    }
    // The certificate is on the record with its hash, and downloads byte for byte.
    await page.goto('/officers/o-4');
    const row = page.locator('table.certificates tr[data-training-id="t-4"]');
    expect(await row.innerText()).toContain(createHash('sha256').update(pdf).digest('hex'));
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: 'stone-basic.pdf' }).click()]);
    expect(Buffer.compare(readFileSync(await download.path()), pdf)).toBe(0);

    // Retract from the timeline, with what it will change shown before it is confirmed.
    await page.goto('/officers/o-4');
    await page.locator('tr[data-event-id]', { hasText: 'Training declared unavailable' }).getByRole('link', { name: /^Retract/ }).click();
    expect(await page.locator('section.preview').innerText()).toMatch(/What this retraction will change/);
    // Without the declaration there is no grace: the status over time differs, drawn before and after.
    expect(await page.locator('section.preview h3').allInnerTexts()).toEqual(['Status over time, as recorded now', 'Status over time, after the retraction']);
    await expectAccessible(page);
    await screenshot(page, 'retract-preview');
    await page.getByLabel('Reason', { exact: true }).fill('declared for the wrong assignment');
    await page.getByRole('button', { name: 'Retract the event' }).click();
    expect(await page.locator('.notice').innerText()).toMatch(/Recorded the retraction/);
    expect(await page.locator('tr[data-retracted="true"]', { hasText: 'Training declared unavailable' }).count()).toBe(1);
    // The separated officer has left the dashboard's table, and the corrected name is shown.
    await page.goto('/?asOf=2026-11-30');
    expect(await page.locator('tr[data-officer-id="o-4"]').count()).toBe(0);
    await page.goto('/officers/o-4');
    expect(await page.locator('h1').innerText()).toContain('Emery Stone-Hale');

    // Someone with access to the database file alters the stored PDF: the download is refused, verify names it.
    const raw = new Database(join(dir, 'sro.db'));
    try {
      raw.prepare('UPDATE files SET bytes = ? WHERE sha256 = ?').run(Buffer.concat([pdf, Buffer.from('%% altered\n')]), createHash('sha256').update(pdf).digest('hex'));
    } finally {
      raw.close();
    }
    const refused = await page.request.get(`${server.url}/officers/o-4/certificates/t-4`);
    expect(refused.status()).toBe(409);
    expect(await refused.text()).toMatch(/no longer matches the SHA-256/);
    const verified = runCli(env, 'verify');
    expect(verified.status).toBe(1);
    expect(verified.stdout).toMatch(/certificate file stored with this event no longer has the SHA-256/);
    await page.goto('/integrity');
    expect(await page.locator('[data-integrity]').getAttribute('data-integrity')).toBe('broken');
  });
});
