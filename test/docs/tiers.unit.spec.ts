/**
 * Every test file names its tier (README.md "Tests", docs/decisions.md W46): jest.config.js runs
 * only `*.unit|integration|e2e|browser.spec.ts`, so a file named plain `*.spec.ts` would not run
 * at all, silently. This fails instead, naming the file.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');

function specFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return specFiles(path);
    return /\.spec\.tsx?$/.test(entry.name) ? [relative(root, path)] : [];
  });
}

it('every test file under test/ is named by its tier', () => {
  const files = specFiles(join(root, 'test'));
  expect(files.length).toBeGreaterThan(100);
  expect(files.filter((f) => !/\.(unit|integration|e2e|browser)\.spec\.ts$/.test(f))).toEqual([]);
});
