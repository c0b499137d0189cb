/**
 * The records clerk's forms in a real browser (Debian's chromium through playwright-core) against
 * the built server (`serve`) on a fresh SQLite file: what a clerk and an admin met when using them.
 *
 * - Back after a saved form, then submitting it again, records nothing twice (the form's key is
 *   in its address, docs/decisions.md W35), for the substitute days and for a single record;
 *   the CSV commit answers with a redirect, so Back from its report sends nothing again;
 * - a likely duplicate (the same course and date under a new training ID) is flagged before it is
 *   recorded, and "Record it anyway" records it;
 * - assignments and trainings are picked from the officer's own, by plain labels;
 * - a contract is recorded by uploading its PDF (hashed by the server); a policy adoption with its
 *   model revision; a policy adoption retracted from the console;
 * - the agency's last active admin cannot demote themself (console and CLI); changing one's own
 *   role asks for confirmation.
 *
 * What was recorded is read from the SQLite file itself, not from the pages under test.
 */
import type { ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildCli, lastLine, runCli, startServer } from '../support/cli-process';
import { describeInBrowser, expectAccessible, launchBrowser, screenshot } from '../support/browser';
import { certificatePdf } from '../support/pdf';

jest.setTimeout(120_000);

const PASSWORD = 'correct horse battery staple';
const AGENCY = 'lake-pd';
const CLERK = 'robin@lake.example.gov';

describeInBrowser('the clerk’s forms in a browser', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let base: string;
  let child: ChildProcess;
  let browser: Browser;
  let token: string;
  let clerk: Page;
  const contexts: BrowserContext[] = [];

  /** The live data of the agency's events of a type, read from the SQLite file. */
  const recorded = (type: string): { eventId: string; stream: string; data: Record<string, unknown> }[] => {
    const db = new Database(join(dir, 'sro.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT event_id, stream, data FROM events WHERE type = ? ORDER BY position').all(type) as { event_id: string; stream: string; data: string }[];
      return rows.map((r) => ({ eventId: r.event_id, stream: r.stream, data: JSON.parse(r.data) as Record<string, unknown> }));
    } finally {
      db.close();
    }
  };

  const api = async (path: string, body: unknown): Promise<{ eventId: string }> => {
    const res = await fetch(`${base}/api/agencies/${AGENCY}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await res.json()) as { eventId: string };
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  const newPage = async (): Promise<Page> => {
    const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    return context.newPage();
  };

  /** A person invited on the CLI sets a password through the link, and is signed in. */
  const person = async (role: string, email: string, name: string): Promise<Page> => {
    const invited = runCli(env, 'user', 'invite', '--agency', AGENCY, '--role', role, '--email', email, '--name', name);
    expect(invited.status).toBe(0);
    const page = await newPage();
    await page.goto(lastLine(invited));
    await page.getByLabel('New password').fill(PASSWORD);
    await page.getByLabel('Confirm password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.waitForURL(`${base}/`);
    return page;
  };

  const notice = (page: Page) => page.locator('.notice').innerText();

  beforeAll(async () => {
    buildCli();
    dir = mkdtempSync(join(tmpdir(), 'sro-clerk-forms-'));
    env = { ...process.env, SRO_STORE: `sqlite:${join(dir, 'sro.db')}`, SRO_KEY_FILE: join(dir, 'ledger-key.pem'), HOST: '127.0.0.1' };
    expect(runCli(env, 'agency', 'create', '--id', AGENCY, '--name', 'Lake Police Department').status).toBe(0);
    const created = runCli(env, 'token', 'create', '--agency', AGENCY, '--role', 'admin', '--name', 'seed script');
    expect(created.status).toBe(0);
    token = lastLine(created);
    const server = await startServer(env);
    child = server.child;
    base = server.url.replace(/\/api$/, '');
    env.SRO_PUBLIC_URL = base;
    browser = await launchBrowser();
    await api('/policies', { version: 'v1', adoptedOn: '2025-08-01' });
    await api('/officers', { officerId: 'o-1', name: 'Avery Quinn', licenseNumber: 'L-100' });
    await api('/officers/o-1/assignments', { assignmentId: 'a-1', schools: ['Central High'], startDate: '2025-09-15' });
    clerk = await person('admin', CLERK, 'Robin Clerk');
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    child?.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a substitute day submitted, then Back, then submitted again is recorded once; so is a policy review', async () => {
    const page = clerk;
    await page.goto('/officers/o-1/records/substitute-day');
    // The form's key is in its address, so that Back returns to this very form.
    expect(page.url()).toMatch(/\/officers\/o-1\/records\/substitute-day\?key=[0-9a-f-]{36}$/);
    await page.getByLabel('Dates served').fill('2026-03-02');
    await page.getByLabel('School').fill('North Middle');
    await page.getByRole('button', { name: 'Record the days' }).click();
    await page.waitForURL(/\/officers\/o-1$/);
    expect(await notice(page)).toContain('Recorded 1 substitute day(s) at North Middle.');
    expect(recorded('SubstituteDayServed')).toHaveLength(1);

    await page.goBack();
    await page.waitForURL(/\/records\/substitute-day\?key=/);
    // The browser puts back what was typed (else the clerk types it again): the same form, sent again.
    if ((await page.getByLabel('Dates served').inputValue()) === '') await page.getByLabel('Dates served').fill('2026-03-02');
    if ((await page.getByLabel('School').inputValue()) === '') await page.getByLabel('School').fill('North Middle');
    await page.getByRole('button', { name: 'Record the days' }).click();
    await page.waitForURL(/\/officers\/o-1$/);
    expect(await notice(page)).toMatch(/already recorded.*Nothing was recorded twice/);
    expect(recorded('SubstituteDayServed')).toHaveLength(1);

    // A single record the same way.
    await page.goto('/officers/o-1/records/policy-review');
    await page.getByLabel('Policy version reviewed').fill('v1');
    await page.getByLabel('Reviewed on').fill('2025-09-10');
    await page.getByRole('button', { name: 'Record the review' }).click();
    await page.waitForURL(/\/officers\/o-1$/);
    await page.goBack();
    await page.waitForURL(/\/records\/policy-review\?key=/);
    if ((await page.getByLabel('Policy version reviewed').inputValue()) === '') {
      await page.getByLabel('Policy version reviewed').fill('v1');
      await page.getByLabel('Reviewed on').fill('2025-09-10');
    }
    await page.getByRole('button', { name: 'Record the review' }).click();
    await page.waitForURL(/\/officers\/o-1$/);
    expect(await notice(page)).toMatch(/This form was already recorded.*It was recorded .*; nothing was recorded twice\./);
    expect(recorded('PolicyReviewed')).toHaveLength(1);

    // Back, then something else typed into the used form: nothing is recorded until it is confirmed with a new key.
    await page.goBack();
    await page.waitForURL(/\/records\/policy-review\?key=/);
    await page.getByLabel('Policy version reviewed').fill('v1');
    await page.getByLabel('Reviewed on').fill('2025-09-11');
    await page.getByRole('button', { name: 'Record the review' }).click();
    expect(await page.locator('.problems').innerText()).toMatch(/already used to record something else/);
    expect(recorded('PolicyReviewed')).toHaveLength(1);
    await page.getByRole('button', { name: 'Record the review' }).click();
    await page.waitForURL(/\/officers\/o-1$/);
    expect(recorded('PolicyReviewed')).toHaveLength(2);
  });

  it('the CSV commit answers with a redirect: Back from its report opens a page, never a form sent again', async () => {
    const page = clerk;
    await page.goto('/import');
    await page.getByLabel('CSV file').setInputFiles({ name: 'days.csv', mimeType: 'text/csv', buffer: Buffer.from('command,officerId,date,school\r\nRecordSubstituteDay,o-1,2026-04-01,South Middle\r\n') });
    await page.getByRole('button', { name: 'Check the file' }).click();
    await page.waitForURL(/\/import\/review$/);
    expect(await page.locator('[data-import]').getAttribute('data-import')).toBe('ready');
    await page.getByRole('button', { name: /^Commit/ }).click();
    await page.waitForURL(/\/import\/committed$/);
    expect(await page.locator('[data-import]').getAttribute('data-import')).toBe('committed');
    const back = await page.goBack();
    expect(back?.status()).toBe(200);
    // The file is no longer waiting: the upload page, and the day recorded once.
    await page.waitForURL(/\/import$/);
    await expect(page.getByRole('heading', { name: 'Import a CSV file' }).isVisible()).resolves.toBe(true);
    await page.reload();
    expect(recorded('SubstituteDayServed').filter((d) => d.data.date === '2026-04-01')).toHaveLength(1);
  });

  it('a likely duplicate (the same course and date under a new training ID) is flagged, records nothing, and is recorded with "Record it anyway"', async () => {
    const page = clerk;
    await page.goto('/officers/o-1/records/training');
    await page.getByLabel('Training ID').fill('t-1');
    await page.getByLabel('Course', { exact: true }).selectOption('MN_SRO_BASIC');
    await page.getByLabel('Completed on').fill('2025-09-12');
    await page.getByRole('button', { name: 'Record the training' }).click();
    await page.waitForURL(/\/officers\/o-1$/);
    expect(recorded('TrainingCompleted')).toHaveLength(1);

    await page.goto('/officers/o-1/records/training');
    await page.getByLabel('Training ID').fill('t-2');
    await page.getByLabel('Course', { exact: true }).selectOption('MN_SRO_BASIC');
    await page.getByLabel('Completed on').fill('2025-09-12');
    const [flagged] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'GET' && /\/records\/training\?key=/.test(r.url())), page.getByRole('button', { name: 'Record the training' }).click()]);
    // Post/redirect/get: the warning is the page the form's address shows, with a 4xx status.
    expect(flagged.status()).toBe(409);
    const warning = page.locator('[data-duplicates]');
    expect(await warning.innerText()).toMatch(/This looks like a record already made[\s\S]*Completed the Minnesota SRO basic course on 12 September 2025[\s\S]*training t-1[\s\S]*recorded .* by robin@lake\.example\.gov/);
    expect(recorded('TrainingCompleted')).toHaveLength(1);
    // What was typed is kept.
    expect(await page.getByLabel('Training ID').inputValue()).toBe('t-2');
    await expectAccessible(page);
    await screenshot(page, 'form-likely-duplicate');

    await page.getByLabel('Record it anyway').check();
    await page.getByRole('button', { name: 'Record the training' }).click();
    await page.waitForURL(/\/officers\/o-1$/);
    expect(await notice(page)).toContain('Recorded training t-2.');
    expect(recorded('TrainingCompleted').map((t) => t.data.trainingId)).toEqual(['t-1', 't-2']);
    // Back to the form recorded anyway, and sent again: the first answer, not a third record nor a new warning.
    await page.goBack();
    await page.waitForURL(/\/records\/training\?key=/);
    await page.getByLabel('Training ID').fill('t-2');
    await page.getByLabel('Course', { exact: true }).selectOption('MN_SRO_BASIC');
    await page.getByLabel('Completed on').fill('2025-09-12');
    await page.getByRole('button', { name: 'Record the training' }).click();
    await page.waitForURL(/\/officers\/o-1$/);
    expect(await notice(page)).toMatch(/already recorded/);
    expect(recorded('TrainingCompleted')).toHaveLength(2);

    // The same substitute day and school again, on a new form: flagged too.
    await page.goto('/officers/o-1/records/substitute-day');
    await page.getByLabel('Dates served').fill('2026-03-02\n2026-03-03');
    await page.getByLabel('School').fill('north middle');
    await page.getByRole('button', { name: 'Record the days' }).click();
    expect(await page.locator('[data-duplicates]').innerText()).toContain('Served as a substitute SRO at North Middle on 2 March 2026');
    expect(recorded('SubstituteDayServed').filter((d) => String(d.data.date).startsWith('2026-03'))).toHaveLength(1);
  });

  it('assignments and trainings are picked from the officer’s own, by course and date; the certificate is filed by picking its training', async () => {
    const page = clerk;
    const pdf = await certificatePdf('Certificate of completion: Avery Quinn');
    await page.goto('/officers/o-1/records/certificate');
    const training = page.getByLabel('Training', { exact: true });
    expect(await training.locator('option').allInnerTexts()).toEqual([
      'Choose a training',
      'The Minnesota SRO basic course, completed 12 September 2025 (t-1)',
      'The Minnesota SRO basic course, completed 12 September 2025 (t-2)',
    ]);
    await training.selectOption({ label: 'The Minnesota SRO basic course, completed 12 September 2025 (t-1)' });
    await page.getByLabel('Certificate (PDF)').setInputFiles({ name: 'quinn-basic.pdf', mimeType: 'application/pdf', buffer: pdf });
    await page.getByLabel('Filed on').fill('2025-09-20');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'File the certificate' }).click();
    await page.waitForURL(/\/officers\/o-1$/);
    expect(await notice(page)).toContain('Filed the certificate quinn-basic.pdf for training t-1');

    // Nothing picked: the field says what to do, and nothing is recorded.
    await page.goto('/officers/o-1/records/end-assignment');
    const assignment = page.getByLabel('Assignment', { exact: true });
    expect(await assignment.locator('option').allInnerTexts()).toEqual(['Choose an assignment', 'Central High, from 15 September 2025 (a-1)']);
    await page.getByLabel('Last day served').fill('2026-06-05');
    await page.getByRole('button', { name: 'Record the end' }).click();
    expect(await page.locator('#field-assignmentId-error').innerText()).toMatch(/choose an assignment/);
    expect(recorded('AssignmentEnded')).toHaveLength(0);
    await page.goto('/officers/o-1/records/training-unavailable');
    expect(await page.getByLabel('Assignment', { exact: true }).locator('option').allInnerTexts()).toContain('Central High, from 15 September 2025 (a-1)');
  });

  it('a contract is recorded by uploading its signed PDF: the server checks it and records its SHA-256', async () => {
    const page = clerk;
    const contract = await certificatePdf('School resource officer agreement between Lake PD and ISD 100');
    const fill = async () => {
      await page.goto('/records/record-contract');
      await page.getByLabel('Contract ID').fill('c-1');
      await page.getByLabel('School district').fill('ISD 100');
      await page.getByLabel('Schools it covers').fill('Central High');
      await page.getByLabel('In force from', { exact: true }).fill('2025-08-01');
    };
    await fill();
    await page.getByLabel('Signed contract (PDF) (optional)').setInputFiles({ name: 'agreement.pdf', mimeType: 'application/pdf', buffer: Buffer.from('a text file named like a PDF') });
    await page.getByRole('button', { name: 'Record the contract' }).click();
    expect(await page.locator('.field-error, .problems').allInnerTexts()).toEqual(expect.arrayContaining([expect.stringMatching(/not a PDF.*save the contract as a PDF/)]));
    expect(recorded('SroContractRecorded')).toHaveLength(0);

    await fill();
    await page.getByLabel('Signed contract (PDF) (optional)').setInputFiles({ name: 'isd-100-agreement.pdf', mimeType: 'application/pdf', buffer: contract });
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Record the contract' }).click();
    await page.waitForURL(`${base}/`);
    const sha256 = createHash('sha256').update(contract).digest('hex');
    expect(await notice(page)).toContain(`Recorded contract c-1 with ISD 100 (signed contract isd-100-agreement.pdf, SHA-256 ${sha256.slice(0, 16)}…).`);
    const [event] = recorded('SroContractRecorded');
    expect(event.data.documentSha256).toBe(sha256);
  });

  it('a policy adoption is recorded with its model revision, and a wrong adoption is retracted from the console', async () => {
    const page = clerk;
    await page.goto('/records/adopt-policy');
    await page.getByLabel('Policy version').fill('v2');
    await page.getByLabel('Adopted on').fill('2025-12-01');
    await page.getByLabel('POST Board model policy revision it follows (optional)').fill('2025-10-23');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Record the adoption' }).click();
    await page.waitForURL(`${base}/`);
    expect(await notice(page)).toContain('Recorded the adoption of SRO policy version v2, following the POST Board model policy revision of 23 October 2025.');
    const v2 = recorded('SroPolicyAdopted').find((e) => e.data.version === 'v2')!;
    expect(v2.data.modelRevision).toBe('2025-10-23');
    expect(await page.locator('tr[data-rule="SRO_POLICY_ADOPTED"]').innerText()).toContain('following the POST Board model policy revision of 2025-10-23.');

    // v3 was a mistake: retract it, picked by what it says.
    await api('/policies', { version: 'v3', adoptedOn: '2025-12-15', modelRevision: '2025-10-23' });
    await page.goto('/');
    await page.getByRole('link', { name: 'Retract a policy adoption or contract' }).click();
    const choice = page.getByLabel('Record to retract');
    const labels = await choice.locator('option').allInnerTexts();
    expect(labels.some((l) => l.startsWith('Agency adopted SRO policy version v3 on 15 December 2025'))).toBe(true);
    expect(labels.some((l) => l.startsWith('Contract c-1 with ISD 100 recorded'))).toBe(true);
    // Before it is recorded, what a retraction would change: without contract c-1, Central High has no contract.
    await choice.selectOption({ label: labels.find((l) => l.startsWith('Contract c-1 with ISD 100 recorded'))! });
    await page.getByRole('button', { name: 'Show what it will change' }).click();
    await page.waitForURL(/\/records\/retract\?key=.*eventId=/);
    expect(await page.locator('section.preview li[data-rule="CONTRACT_FOR_EACH_ASSIGNMENT"]').innerText()).toMatch(/^CONTRACT_FOR_EACH_ASSIGNMENT \(Minn\. Stat\. 626\.8482 subd\. 1\(c\).*\): Met now → Violated, due .* after the retraction$/);
    expect(recorded('EventRetracted')).toHaveLength(0);
    await expectAccessible(page);
    await screenshot(page, 'retract-agency-preview');
    await choice.selectOption({ label: labels.find((l) => l.startsWith('Agency adopted SRO policy version v3'))! });
    await page.getByLabel('Reason').fill('adopted by mistake; v2 stays in force');
    await expectAccessible(page);
    await screenshot(page, 'retract-agency-record');
    await page.getByRole('button', { name: 'Retract the record' }).click();
    await page.waitForURL(`${base}/`);
    expect(await notice(page)).toMatch(/Recorded the retraction/);
    const v3 = recorded('SroPolicyAdopted').find((e) => e.data.version === 'v3')!;
    const retractions = recorded('EventRetracted').filter((e) => e.stream === `agency-${AGENCY}`);
    expect(retractions.map((r) => r.data)).toEqual([{ retractedEventId: v3.eventId, reason: 'adopted by mistake; v2 stays in force' }]);
    // The policy in force is v2 again, and the retracted adoption is no longer offered.
    expect(await page.locator('tr[data-rule="SRO_POLICY_ADOPTED"]').innerText()).toContain('SRO policy version v2');
    await page.goto('/records/retract');
    expect((await page.getByLabel('Record to retract').locator('option').allInnerTexts()).some((l) => l.includes('version v3'))).toBe(false);
  });

  it('the last active admin cannot demote or disable themself (console and CLI); changing one’s own role asks for confirmation', async () => {
    const page = clerk;
    await page.goto('/people');
    await page.getByLabel('New role for Robin Clerk').selectOption('chief');
    const [refusal] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'GET' && r.url().endsWith('/people')),
      page.locator('tr[data-email="robin@lake.example.gov"]').getByRole('button', { name: 'Change role' }).click(),
    ]);
    expect(refusal.status()).toBe(409);
    expect(await page.locator('.problems').innerText()).toMatch(/robin@lake\.example\.gov is the last active admin of agency lake-pd \(the only one who can sign in and manage its people and records\): changing the role to chief would lock the agency out of the console/);
    await expectAccessible(page);
    await screenshot(page, 'people-last-admin');
    const cli = runCli(env, 'user', 'role', '--agency', AGENCY, '--email', CLERK, '--role', 'chief');
    expect(cli.status).toBe(1);
    expect(cli.stdout + cli.stderr).toMatch(/last active admin of agency lake-pd/);
    const disable = runCli(env, 'user', 'disable', '--agency', AGENCY, '--email', CLERK);
    expect(disable.status).toBe(1);
    expect(disable.stdout + disable.stderr).toMatch(/robin@lake\.example\.gov is the last active admin of agency lake-pd .*: disabling the account would lock the agency out/);
    const list = JSON.parse(runCli(env, 'user', 'list', '--agency', AGENCY).stdout) as { email: string; role: string; state: string }[];
    expect(list.find((a) => a.email === CLERK)).toMatchObject({ role: 'admin' });

    // With a second admin, one's own role can change, after a confirmation.
    await person('admin', 'sam@lake.example.gov', 'Sam Second');
    await page.goto('/people');
    await page.getByLabel('New role for Robin Clerk').selectOption('chief');
    await page.locator('tr[data-email="robin@lake.example.gov"]').getByRole('button', { name: 'Change role' }).click();
    expect(await page.locator('section.confirm').innerText()).toMatch(/You are about to change your own role from Admin \(records clerk\) to Chief/);
    expect((JSON.parse(runCli(env, 'user', 'list', '--agency', AGENCY).stdout) as { email: string; role: string }[]).find((a) => a.email === CLERK)!.role).toBe('admin');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Yes, change my role' }).click();
    await page.waitForURL(`${base}/`);
    expect(await notice(page)).toContain('Your role is now Chief.');
    expect((JSON.parse(runCli(env, 'user', 'list', '--agency', AGENCY).stdout) as { email: string; role: string }[]).find((a) => a.email === CLERK)!.role).toBe('chief');
  });
});
