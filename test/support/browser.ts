/**
 * A real browser for the console's tests: Debian's chromium (`apt-get install chromium`, which
 * .ci/run does) driven by playwright-core. Under CI=true a missing browser fails the file; on a
 * developer's machine without chromium the file is skipped with a warning saying how to run it.
 * axe-core checks every page it is given and fails on serious or critical violations.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { root } from './cli-process';

export const CHROMIUM = process.env.SRO_CHROMIUM?.trim() || '/usr/bin/chromium';

export const browserAvailable = (): boolean => existsSync(CHROMIUM);

/** describe, or a loud skip outside CI when there is no browser; under CI a missing browser fails. */
export function describeInBrowser(name: string, body: () => void): void {
  if (!browserAvailable()) {
    if (process.env.CI === 'true') {
      describe(name, () => {
        it('needs chromium', () => {
          throw new Error(`no browser at ${CHROMIUM}: .ci/run installs Debian's chromium (apt-get install chromium)`);
        });
      });
      return;
    }
    console.warn(`SKIPPED ${name}: no browser at ${CHROMIUM} (apt-get install chromium, or set SRO_CHROMIUM)`);
    describe.skip(name, body);
    return;
  }
  describe(name, body);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

const AXE_SOURCE: string = require('axe-core').source;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * Runs axe-core (WCAG 2.0–2.2 A and AA rules) on the page; returns the serious and critical
 * violations. Injected through the DevTools protocol, so the page's CSP (no scripts) stays on.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const result = (await page.evaluate(() =>
    (globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    }),
  )) as { violations: AxeViolation[] };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Fails with the violations named when a page has any serious or critical one. */
export async function expectAccessible(page: Page): Promise<void> {
  const violations = await seriousViolations(page);
  const described = violations.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
  expect({ url: page.url(), violations: described }).toEqual({ url: page.url(), violations: [] });
}

export const RESULTS = join(root, 'test-results');

/** A full-page screenshot under test-results/ (ignored by git). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
