/**
 * The README's first session, followed as a person follows it (docs/decisions.md W36): `serve` on
 * a new store prints the setup link; in Debian's chromium, steps 1 to 5 of "A first session, in
 * the browser" with the README's own values; then the shell block of "Scripts and integrations:
 * the HTTP API", cut out of README.md and run by bash as it stands against the same server (whose
 * store now holds the agency the browser session set up). Each step checks what the README says
 * the person will see. The store's SQLite file is private to its owner (0600).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describeInBrowser, launchBrowser, screenshot } from '../support/browser';
import { buildCli, root } from '../support/cli-process';

jest.setTimeout(180_000);

const README = readFileSync(join(root, 'README.md'), 'utf8');
const PASSWORD = 'correct horse battery staple';

/** The Minnesota wall-clock time of an instant, as the Known at field takes it ("2026-12-01 09:15:07"). */
function minnesotaTime(instant: Date): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Chicago', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(instant)
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

describe('the README, followed step by step', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let child: ChildProcess;
  let base: string;
  let setupLink: string;
  let output = '';

  beforeAll(async () => {
    buildCli();
    dir = mkdtempSync(join(tmpdir(), 'sro-readme-'));
    env = { ...process.env, SRO_STORE: `sqlite:${join(dir, 'data', 'sro.db')}`, SRO_KEY_FILE: join(dir, 'data', 'ledger-key.pem'), HOST: '127.0.0.1', SRO_LOG_LEVEL: 'warn' };
    child = spawn(process.execPath, [join(root, 'dist/src/cli/main.js'), 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 30_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const listening = /listening on (http:\/\/\S+)\/api/.exec(output);
        const setup = /First run: .*\n(http:\S+\/setup\?token=\S+)\n/.exec(output);
        if (listening && setup) {
          clearTimeout(timer);
          base = listening[1];
          setupLink = setup[1];
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.on('exit', (code) => reject(new Error(`serve exited (${code}):\n${output}`)));
    });
  });

  afterAll(() => {
    child?.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('step 1: a new store prints the one-time setup link as the README shows it', () => {
    expect(README).toContain('First run: no agency is registered yet. Open this one-time link (valid 24 hours) to set up your agency and its first admin:');
    expect(output).toContain('First run: no agency is registered yet. Open this one-time link (valid 24 hours) to set up your agency and its first admin:');
  });

  describeInBrowser('"A first session, in the browser", steps 1 to 5', () => {
    let browser: Browser;
    let page: Page;
    let beforeTraining: string;

    beforeAll(async () => {
      browser = await launchBrowser();
      page = await (await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 } })).newPage();
    });
    afterAll(async () => {
      await browser?.close();
    });

    const fill = async (values: Record<string, string>) => {
      for (const [label, value] of Object.entries(values)) {
        const field = page.getByLabel(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\(optional\\))?$`));
        if ((await field.evaluate((e) => e.tagName)) === 'SELECT') await field.selectOption(value);
        else await field.fill(value);
      }
      await page.locator('form[method="post"] button[type="submit"]:not([value="add"])').last().click();
    };
    const show = async (asOf: string, knownAt = '') => {
      await page.getByLabel('As of').fill(asOf);
      await page.getByLabel('Known at').fill(knownAt);
      await page.getByRole('button', { name: 'Show' }).click();
      await page.waitForURL(new RegExp(`asOf=${asOf}`));
    };
    const status = () => page.locator('.status-line [data-status]').getAttribute('data-status');
    const outcome = (rule: string) => page.locator(`tr[data-rule="${rule}"] [data-outcome]`).getAttribute('data-outcome');

    it('1. the setup link: agency, name, email and password; signed in as its first admin, on the dashboard', async () => {
      await page.goto(setupLink);
      await page.getByLabel('Agency ID').fill('stpaul-pd');
      await page.getByLabel('Agency name').fill('Saint Paul Police Department');
      await page.getByLabel('Your name').fill('Robin Clerk');
      await page.getByLabel('Email').fill('robin@stpaul.example.gov');
      await page.getByLabel('New password').fill(PASSWORD);
      await page.getByLabel('Confirm password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Set password' }).click();
      await page.waitForURL(`${base}/`);
      await expect(page.getByRole('heading', { name: 'Agency dashboard' }).isVisible()).resolves.toBe(true);
    });

    it('2. adopt policy version 2025-10, register Jordan Doe: the dashboard lists Jordan Doe as Not assigned', async () => {
      expect(README).toContain('**Adopt an SRO policy version** (version `2025-10`, adopted `2025-08-15`), then **Register an\n   officer** (ID `jdoe`, name Jordan Doe). The dashboard lists Jordan Doe as *Not assigned*.');
      await page.getByRole('link', { name: 'Adopt an SRO policy version' }).click();
      await fill({ 'Policy version': '2025-10', 'Adopted on': '2025-08-15' });
      await page.getByRole('link', { name: 'Register an officer' }).click();
      await fill({ 'Officer ID': 'jdoe', 'Full name': 'Jordan Doe' });
      await page.waitForURL(`${base}/`);
      const row = page.locator('tr[data-officer-id="jdoe"]');
      expect(await row.innerText()).toContain('Jordan Doe');
      expect(await row.locator('[data-status]').getAttribute('data-status')).toBe('NOT_ASSIGNED');
      expect(await row.locator('[data-status]').innerText()).toBe('Not assigned');
    });

    it('3. on the record: assign, record the training, record the review; each returns to the record saying what was recorded', async () => {
      expect(README).toContain('**Assign as SRO** (assignment `hs-2025`, school Central High School, first day 2025-09-02),\n   **Record a completed training** (`basic-1`, `MN_SRO_BASIC`, completed 2025-10-15) and **Record a\n   policy review** (`2025-10`, reviewed 2025-08-28). Each returns to the record saying what was\n   recorded.');
      await page.locator('tr[data-officer-id="jdoe"] a', { hasText: 'Jordan Doe' }).click();
      await page.waitForURL(/\/officers\/jdoe/);
      await page.getByRole('link', { name: 'Assign as SRO' }).click();
      await fill({ 'Assignment ID': 'hs-2025', Schools: 'Central High School', 'First day of duty': '2025-09-02' });
      expect(await page.locator('.notice').innerText()).toContain('hs-2025');
      // The moment before the training is recorded, for step 4's Known at (Minnesota time, to the second).
      await new Promise((r) => setTimeout(r, 1100));
      beforeTraining = minnesotaTime(new Date());
      await new Promise((r) => setTimeout(r, 1100));
      await page.getByRole('link', { name: 'Record a completed training' }).click();
      await fill({ 'Training ID': 'basic-1', Course: 'MN_SRO_BASIC', 'Completed on': '2025-10-15' });
      expect(await page.locator('.notice').innerText()).toContain('basic-1');
      await page.getByRole('link', { name: 'Record a policy review' }).click();
      await fill({ 'Policy version reviewed': '2025-10', 'Reviewed on': '2025-08-28' });
      expect(await page.locator('.notice').innerText()).toContain('2025-10');
      expect(page.url()).toMatch(/\/officers\/jdoe$/);
    });

    it('4. As of and Known at: Not assigned, then Not compliant; at 2025-11-03 only the certificate is missing; before the training was recorded, it is violated again', async () => {
      await show('2025-08-20');
      expect(await status()).toBe('NOT_ASSIGNED');
      await show('2025-10-01');
      expect(await status()).toBe('NON_COMPLIANT');
      expect(await outcome('TRAINING_BEFORE_DUTY')).toBe('VIOLATED');
      expect(await page.locator('tr[data-rule="TRAINING_BEFORE_DUTY"]').innerText()).toContain('Minn. Stat. 626.8482 subd. 3(a)');
      expect(await page.locator('tr[data-rule="TRAINING_BEFORE_DUTY"] td').last().innerText()).toContain('Officer assigned, 2 September 2025');
      await show('2025-11-03');
      expect(await outcome('TRAINING_BEFORE_DUTY')).toBe('MET');
      const violated = await page.locator('tr[data-rule]:has([data-outcome="VIOLATED"])').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-rule')));
      expect(violated).toEqual(['CERTIFICATE_ON_FILE']);
      expect(await page.getByRole('link', { name: 'File a certificate' }).count()).toBe(1);

      await show('2025-11-03', beforeTraining);
      expect(await outcome('TRAINING_BEFORE_DUTY')).toBe('VIOLATED');
      expect(await page.locator('table.timeline').innerText()).not.toContain('Training completed');
      expect(await page.locator('#axes-sentence').innerText()).toMatch(/^Status on 3 November 2025, as the records stood at \d+ \w+ \d{4} \d\d:\d\d:\d\d C[SD]T\.$/);
      expect(page.url()).toContain(`knownAt=${encodeURIComponent(beforeTraining).replace(/%20/g, '+')}`);
    });

    it('5. What changed, From that same moment: the training recorded since, and the findings it changed', async () => {
      expect(README).toContain('give that same moment as **From** and leave **To**\n   empty (now)');
      await page.getByLabel('From (records as they stood then)').fill(beforeTraining);
      expect(await page.getByLabel('To (empty for now)').inputValue()).toBe('');
      await page.getByRole('button', { name: 'Compare' }).click();
      await page.waitForURL(/\/changes\?/);
      expect(await page.locator('#recorded-between').locator('..').innerText()).toContain('Completed the Minnesota SRO basic course on 15 October 2025');
      expect(await page.locator('tr[data-rule="TRAINING_BEFORE_DUTY"]').innerText()).toMatch(/Violated[\s\S]*Met/);
      await screenshot(page, 'readme-step-5-what-changed');
    });
  });

  it('"Scripts and integrations": the shell block, run as it stands, writes and reads through the API', () => {
    const start = README.indexOf('```sh\n# 0. The agency these calls write to');
    expect(start).toBeGreaterThan(0);
    const block = README.slice(start + '```sh\n'.length, README.indexOf('\n```', start));
    const script = block.replaceAll('http://127.0.0.1:3000', base);
    const run = spawnSync('bash', ['-c', script], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).not.toContain('No token');
    expect(run.stdout).not.toContain('statusCode');
    // Six writes (policy, officer, assignment, training, certificate, review), each a 201 body.
    const writes = run.stdout.match(/\{"eventId":"[0-9a-f-]{36}","recordedAt":"[^"]+"\}/g) ?? [];
    expect(writes).toHaveLength(6);
    // Then the officer's history, with both time axes and who recorded each event.
    const last = writes[writes.length - 1];
    const history = JSON.parse(run.stdout.slice(run.stdout.lastIndexOf(last) + last.length)) as { agencyId: string; events: { type: string; recordedBy: string }[] };
    expect(history.agencyId).toBe('demo-pd');
    expect(history.events.map((e) => e.type)).toEqual(expect.arrayContaining(['OfficerAssigned', 'TrainingCompleted', 'CertificateFiled', 'PolicyReviewed']));
    expect(history.events.find((e) => e.type === 'TrainingCompleted')!.recordedBy).toBe('Records admin');
  });

  it('the SQLite file the server created, and its -wal and -shm, are readable by their owner only', () => {
    const file = join(dir, 'data', 'sro.db');
    for (const name of [file, `${file}-wal`, `${file}-shm`]) expect({ name, mode: (statSync(name).mode & 0o777).toString(8) }).toEqual({ name, mode: '600' });
  });
});
