/**
 * The CLI (SPEC §5) as a user runs it: `npm run --silent cli -- ...` and the built bin, on a
 * temporary SQLite file, with `serve` answering HTTP in a child process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli, root, runCli, startServer } from '../support/cli-process';

let dir: string;
let env: NodeJS.ProcessEnv;

const cli = (...args: string[]) => runCli(env, ...args);

beforeAll(() => {
  buildCli();
  dir = mkdtempSync(join(tmpdir(), 'sro-cli-'));
  env = { ...process.env, SRO_STORE: `sqlite:${join(dir, 'sro.db')}` };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe('sro-compliance CLI', () => {
  it('creates an agency, and refuses it twice with exit code 1', () => {
    const first = cli('agency', 'create', '--id', 'wright-so', '--name', 'Wright County Sheriff');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^Agency wright-so \(Wright County Sheriff\) registered/);
    const again = cli('agency', 'create', '--id', 'wright-so', '--name', 'Wright County Sheriff');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('agency wright-so is already registered');
  });

  it('explains usage mistakes with exit code 2', () => {
    expect(cli('agency', 'create', '--name', 'No id').status).toBe(2);
    const badRole = cli('token', 'create', '--agency', 'wright-so', '--role', 'sheriff', '--name', 'x');
    expect(badRole.status).toBe(2);
    expect(badRole.stderr).toContain('--role must be one of admin, auditor, chief, investigator');
    expect(cli('token', 'create', '--agency', 'nowhere', '--role', 'admin', '--name', 'x').stderr).toContain('agency nowhere is not registered');
    expect(cli('frobnicate').status).toBe(2);
  });

  it('`npm run --silent cli -- token create` prints the token alone on the last line; serve accepts it until it is revoked', async () => {
    const created = spawnSync('npm', ['run', '--silent', 'cli', '--', 'token', 'create', '--agency', 'wright-so', '--role', 'admin', '--name', 'Records admin'], {
      cwd: root,
      env,
      encoding: 'utf8',
    });
    expect(created.status).toBe(0);
    const lines = created.stdout.trimEnd().split('\n');
    const token = lines[lines.length - 1];
    expect(token).toMatch(/^sro_[A-Za-z0-9_-]{43}$/);
    expect(created.stdout).not.toContain('> '); // no npm banner

    const { url, child } = await startServer(env);
    try {
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const write = () =>
        fetch(`${url}/agencies/wright-so/officers`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ officerId: `o${Date.now()}`, name: 'Sam Officer' }),
        });
      expect((await write()).status).toBe(201);
      const listed = cli('token', 'list', '--agency', 'wright-so');
      expect(listed.stdout).toMatch(/^Records admin\tadmin\tissued \S+\tactive/m);
      const revoked = cli('token', 'revoke', '--agency', 'wright-so', '--name', 'Records admin', '--reason', 'left the unit');
      expect(revoked.status).toBe(0);
      // Revoked in another process: the running server refuses the token on its next request.
      expect((await write()).status).toBe(401);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
