/**
 * The CLI names the store it opened when what it was asked for is not in it: `main(argv)` run in
 * process (test/support/cli-in-process.ts) on a real SQLite file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
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

describe('read-only commands never create a store', () => {
  it('names the store it opened when the agency is not in it', async () => {
    expect((await cli('agency', 'create', '--id', 'here-pd', '--name', 'Here PD')).status).toBe(0);
    const result = await cli('status', '--agency', 'there-pd');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`(store: sqlite:${join(dir, 'sro.db')})`);
    const token = await cli('token', 'create', '--agency', 'there-pd', '--role', 'admin', '--name', 'x');
    expect(token.status).toBe(2);
    expect(token.stderr).toContain(`agency there-pd is not registered in the store sqlite:${join(dir, 'sro.db')}`);
  });
});
