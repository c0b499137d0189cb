/**
 * Certificate files through the console in a real browser (Debian's chromium): what Chromium
 * saves when a certificate is downloaded. A PDF that is also an HTML page, uploaded under an
 * `.html` name, is saved under a `.pdf` name; names outside ASCII (José, résumé 证书) and with
 * quotes and parentheses are recorded as chosen and saved under the same name (docs/decisions.md
 * W39). The server runs in this
 * process (createHttpApp, as `serve` builds it) on a fresh SQLite file.
 */
import type { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { RegisterAgencyCommand } from '../../src/agencies/register-agency';
import { AccessRegistry } from '../../src/auth/access-registry';
import { Accounts } from '../../src/auth/accounts';
import { createHttpApp } from '../../src/http/create-http-app';
import { describeInBrowser, launchBrowser } from '../support/browser';
import { certificatePdf, polyglotPdf } from '../support/pdf';

jest.setTimeout(60_000);

const PASSWORD = 'lilac tractor mustard canyon';
const AGENCY = 'names-pd';

describeInBrowser('certificate files in a browser', () => {
  let app: INestApplication;
  let base: string;
  let dir: string;
  let browser: Browser;
  let page: Page;
  let token: string;

  const api = async (path: string, body: unknown) => {
    const res = await fetch(`${base}/api/agencies/${AGENCY}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sro-names-'));
    app = await createHttpApp({ store: `sqlite:${join(dir, 'sro.db')}`, logger: false, ledger: { keyFile: join(dir, 'key.pem') } });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    await app.get(CommandBus).execute(new RegisterAgencyCommand({ agencyId: AGENCY, recordedBy: 'test', correlationId: randomUUID() }, 'Names PD'));
    token = (await app.get(AccessRegistry).issue({ agencyId: AGENCY, role: 'admin', name: 'setup', recordedBy: 'test' })).token;
    const invitation = await app.get(Accounts).invite({ agencyId: AGENCY, role: 'admin', email: 'admin@names.example', name: 'Ada Admin' }, 'test');
    await app.get(Accounts).setPassword(invitation.secret, PASSWORD, PASSWORD);
    await api('/officers', { officerId: 'o-1', name: 'Quinn Filer' });
    browser = await launchBrowser();
    page = await (await browser.newContext({ baseURL: base, acceptDownloads: true })).newPage();
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill('admin@names.example');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Files `bytes` under `name` for a new training through the console's form, then downloads it from the record as a person would. */
  async function fileAndDownload(trainingId: string, name: string, bytes: Buffer): Promise<{ saved: string; bytes: Buffer; notice: string }> {
    await api('/officers/o-1/trainings', { trainingId, course: 'MN_SRO_BASIC', completedOn: '2025-08-20' });
    await page.goto('/officers/o-1/records/certificate');
    // The training is chosen from the officer's recorded trainings (a pick-list).
    await page.getByLabel('Training', { exact: true }).selectOption(trainingId);
    await page.getByLabel('Certificate (PDF)').setInputFiles({ name, mimeType: 'application/pdf', buffer: bytes });
    await page.getByLabel('Filed on').fill('2025-08-25');
    await page.getByRole('button', { name: 'File the certificate' }).click();
    const notice = await page.locator('.notice').innerText();
    const row = page.locator(`table.certificates tr[data-training-id="${trainingId}"]`);
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link').click()]);
    return { saved: download.suggestedFilename(), bytes: readFileSync(await download.path()), notice };
  }

  it('a PDF that is also an HTML page, uploaded as polyglot.html, is saved by Chromium as polyglot.html.pdf', async () => {
    const bytes = await polyglotPdf();
    const got = await fileAndDownload('t-poly', 'polyglot.html', bytes);
    expect(got.notice).toMatch(/Filed the certificate polyglot\.html for training t-poly/);
    expect(got.saved).toBe('polyglot.html.pdf');
    expect(Buffer.compare(got.bytes, bytes)).toBe(0);
  });

  it('names in any script round-trip: recorded as chosen, saved by Chromium under the same name', async () => {
    const names = ['José.pdf', 'résumé 证书.pdf', "Quinn's (final) copy 100%.pdf"];
    for (const [i, name] of names.entries()) {
      const bytes = await certificatePdf(`Certificate ${i}`);
      const got = await fileAndDownload(`t-name-${i}`, name, bytes);
      expect({ notice: got.notice, saved: got.saved }).toEqual({ notice: expect.stringContaining(`Filed the certificate ${name} for training t-name-${i}`), saved: name });
      expect(Buffer.compare(got.bytes, bytes)).toBe(0);
      // The record shows the name as recorded.
      expect(await page.locator(`table.certificates tr[data-training-id="t-name-${i}"]`).getByRole('link').innerText()).toBe(name);
    }
  });

  it('an ordinary certificate keeps its name', async () => {
    const bytes = await certificatePdf();
    expect((await fileAndDownload('t-plain', 'quinn-basic.pdf', bytes)).saved).toBe('quinn-basic.pdf');
  });
});
