/**
 * The CLI's parser (commander, one parser per command built from its synopsis), run in process
 * through `main(argv)` (test/support/cli-in-process.ts): help per command, unknown options refused
 * with the command's own usage, exit codes, read-only commands that never create a store. What
 * needs a process of its own is in cli-usage.e2e.spec.ts.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain } from '../support/cli-in-process';

let dir: string;
let env: NodeJS.ProcessEnv;
const cli = (...args: string[]) => runMain(env, ...args);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sro-cli-usage-'));
  env = { ...process.env, SRO_STORE: `sqlite:${join(dir, 'sro.db')}`, SRO_KEY_FILE: join(dir, 'ledger-key.pem') };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('help', () => {
  it.each([
    ['token', 'create'],
    ['status'],
    ['import'],
    ['verify'],
    ['serve'],
  ])('`%s --help` prints that command\'s usage and options, exit 0', async (...words) => {
    const result = await cli(...words, '--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: sro-compliance ${words.join(' ')}\\b`));
    expect(result.stdout).toMatch(/Options:\n/);
    expect(result.stdout).toMatch(/-h, --help/);
  });

  it('lists the options a command takes, with what they mean', async () => {
    const help = (await cli('reminders', '--help')).stdout;
    for (const option of ['--agency <agencyId>', '--as-of <YYYY-MM-DD>', '--known-at <instant>', '--horizon-days <n>']) expect(help).toContain(option);
    expect(help).not.toContain('--officer');
  });

  it('`token --help` lists the token commands', async () => {
    const result = await cli('token', '--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('token create --agency');
    expect(result.stdout).toContain('token list --agency');
    expect(result.stdout).not.toContain('user invite');
  });
});

describe('refusals', () => {
  it("refuses an option the command does not take, with the command's own usage (exit 2)", async () => {
    const result = await cli('history', '--agency', 'a', '--officer', 'o', '--horizon-days', '3');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: unknown option '--horizon-days'/);
    expect(result.stderr).toContain('Usage: sro-compliance history --agency <agencyId> --officer <officerId> [--known-at <instant>]');
    // Its own usage, not the whole list.
    expect(result.stderr).not.toContain('agency create');
  });

  it('refuses an extra argument, and a missing value', async () => {
    expect((await cli('status', '--agency', 'a', 'extra')).status).toBe(2);
    const missing = await cli('status', '--agency');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/argument missing/);
  });

  it('refuses a usage mistake found after parsing with the command usage too', async () => {
    const result = await cli('status', '--agency', 'a', '--as-of', '2025-02-30');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^error: --as-of must be a real calendar date/);
    expect(result.stderr).toContain('Usage: sro-compliance status');
  });

  it('an unknown command in a group names the group\'s commands', async () => {
    const result = await cli('token', 'mint');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^unknown command: token mint/);
    expect(result.stderr).toContain('token revoke');
  });

  it('refuses --demo on a store that is not memory:', async () => {
    const result = await cli('serve', '--port', '0', '--demo');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--demo seeds a demo agency into an in-memory store only/);
  });
});

describe('read-only commands never create a store', () => {
  it.each([
    ['status', '--agency', 'a'],
    ['reminders', '--agency', 'a'],
    ['history', '--agency', 'a', '--officer', 'o'],
    ['verify'],
    ['token', 'list', '--agency', 'a'],
    ['user', 'list', '--agency', 'a'],
  ])('`%s` refuses a SQLite file that does not exist, saying which, exit 1', async (...args) => {
    const file = join(dir, 'missing', 'sro.db');
    const result = await runMain({ ...env, SRO_STORE: `sqlite:${file}` }, ...args);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`error: no store at ${file} (SRO_STORE is sqlite:${file})`);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });

  it('refuses memory:, which a command run on its own always finds empty', async () => {
    const result = await runMain({ ...env, SRO_STORE: 'memory:' }, 'status', '--agency', 'a');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/memory:, a store that lives in one process only/);
  });
});
