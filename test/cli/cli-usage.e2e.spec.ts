/**
 * The CLI as a process: the default store path relative to the working folder, --csv on stdout
 * (with the byte-order mark only when stdout is a file), `serve --demo`, and `npm run cli` that
 * does not rebuild when nothing changed. The parser's usage cases run `main(argv)` in process:
 * cli-usage.unit.spec.ts and cli-usage.integration.spec.ts.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli, root, runCli } from '../support/cli-process';

let dir: string;
let env: NodeJS.ProcessEnv;
const cli = (...args: string[]) => runCli(env, ...args);

beforeAll(() => {
  buildCli();
  dir = mkdtempSync(join(tmpdir(), 'sro-cli-usage-'));
  env = { ...process.env, SRO_STORE: `sqlite:${join(dir, 'sro.db')}`, SRO_KEY_FILE: join(dir, 'ledger-key.pem') };
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('read-only commands never create a store', () => {
  it('run from another folder without SRO_STORE, names the default path it looked for', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'sro-elsewhere-'));
    try {
      const { SRO_STORE: _unused, ...rest } = env;
      const result = spawnSync(process.execPath, [join(root, 'dist/src/cli/main.js'), 'status', '--agency', 'demo-pd'], { cwd: elsewhere, env: rest, encoding: 'utf8' });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`no store at ${join(elsewhere, 'data', 'sro.db')} (SRO_STORE not set: the default sqlite:./data/sro.db, relative to ${elsewhere})`);
      expect(existsSync(join(elsewhere, 'data'))).toBe(false);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('--csv on every query command', () => {
  beforeAll(() => {
    expect(cli('agency', 'create', '--id', 'csv-pd', '--name', 'CSV PD').status).toBe(0);
    const file = join(dir, 'roster.csv');
    writeFileSync(file, 'command,officerId,name,assignmentId,schools,startDate\r\nRegisterOfficer,jdoe,"Doe, Jordan",,,\r\nAssignOfficer,jdoe,,hs,Central High,2025-09-02\r\n');
    expect(cli('import', file, '--agency', 'csv-pd').status).toBe(0);
    expect(cli('token', 'create', '--agency', 'csv-pd', '--role', 'auditor', '--name', '=cmd').status).toBe(0);
  }, 60_000);

  it.each([
    [['status', '--agency', 'csv-pd', '--as-of', '2025-10-01'], 'officerId,name,status,restrictedDuties,openFindings,asOf,knownAt'],
    [['status', '--agency', 'csv-pd', '--officer', 'jdoe', '--as-of', '2025-10-01'], 'officerId,status,rule,outcome,dueDate,citation,explanation,evidence,restrictedDuties,asOf,knownAt'],
    [['reminders', '--agency', 'csv-pd', '--as-of', '2025-08-20'], 'officerId,subject,scope,rule,kind,dueDate,daysLeft,citation,message,asOf,knownAt'],
    [['history', '--agency', 'csv-pd', '--officer', 'jdoe'], 'officerId,eventId,type,effectiveDate,recordedAt,recordedBy,stream,retracted,retractedBy,data,knownAt'],
    [['token', 'list', '--agency', 'csv-pd'], 'name,role,tokenId,issuedAt,state,revokedAt'],
    [['user', 'list', '--agency', 'csv-pd'], 'userId,name,email,role,state,invitedAt,invitedBy,passwordSetAt,disabledAt,disabledReason'],
  ])('`%s --csv` prints CSV', (args, header: string) => {
    const result = cli(...(args as string[]), '--csv');
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(result.stdout.split('\r\n')[0]).toBe(header);
    const rows = parse(result.stdout, { columns: true }) as Record<string, string>[];
    if (args[0] !== 'user') expect(rows.length).toBeGreaterThan(0);
    if (args[0] === 'token') expect(rows[0].name).toBe("'=cmd");
    if (args[0] === 'status' && args.length === 5) expect(rows[0].name).toBe('Doe, Jordan');
  });

  it('written to a file (`> reminders.csv`), the CSV starts with the UTF-8 byte-order mark, as the API’s download; on a pipe it does not', () => {
    const out = join(dir, 'reminders.csv');
    const fd = openSync(out, 'w');
    try {
      const result = spawnSync(process.execPath, [join(root, 'dist/src/cli/main.js'), 'reminders', '--agency', 'csv-pd', '--as-of', '2026-06-01', '--csv'], { env, stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    } finally {
      closeSync(fd);
    }
    const bytes = readFileSync(out);
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(bytes.toString('utf8').slice(1).split('\r\n')[0]).toBe('officerId,subject,scope,rule,kind,dueDate,daysLeft,citation,message,asOf,knownAt');
    // Overdue on 2026-06-01: daysLeft is a plain negative number, not the text '-NN.
    const rows = parse(bytes, { columns: true, bom: true }) as Record<string, string>[];
    const overdue = rows.filter((r) => r.daysLeft.startsWith('-'));
    expect(overdue.length).toBeGreaterThan(0);
    for (const r of overdue) expect(r.daysLeft).toMatch(/^-\d+$/);
    expect(cli('reminders', '--agency', 'csv-pd', '--as-of', '2026-06-01', '--csv').stdout.startsWith('officerId,')).toBe(true);
  });
});

describe('serve --demo', () => {
  it('on memory: seeds a demo agency and prints a working sign-in link and API token', async () => {
    const child = spawn(process.execPath, [join(root, 'dist/src/cli/main.js'), 'serve', '--port', '0', '--demo'], { env: { ...env, SRO_STORE: 'memory:', SRO_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve --demo did not print its sign-in:\n${out}`)), 20_000);
        child.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          if (/^API: .*\/status$/m.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on('exit', (code) => reject(new Error(`serve --demo exited ${code}:\n${out}`)));
      });
      const base = /listening on (http:\/\/\S+)\/api/.exec(out)![1];
      expect(out).toContain('Sign in to the console as admin@demo-pd.example');
      const link = /^(http:\/\/\S+\/welcome\?token=\S+)$/m.exec(out)![1];
      expect(link.startsWith(base)).toBe(true);
      const welcome = await fetch(link);
      expect(welcome.status).toBe(200);
      expect(await welcome.text()).toContain('New password');
      const token = /Bearer (\S+)"/.exec(out)![1];
      const status = await fetch(`${base}/api/agencies/demo-pd/status?asOf=2025-10-01`, { headers: { Authorization: `Bearer ${token}` } });
      const body = (await status.json()) as { officers: { officerId: string; status: string }[] };
      expect(body.officers.map((o) => [o.officerId, o.status])).toEqual([
        ['asmith', 'NON_COMPLIANT'],
        ['bkim', 'NOT_ASSIGNED'],
        ['jdoe', 'COMPLIANT'],
      ]);
    } finally {
      child.kill('SIGTERM');
    }
  });

});

describe('npm run cli', () => {
  it('does not rebuild when nothing changed', () => {
    const stamp = join(root, 'dist', '.tsbuildinfo');
    execFileSync(process.execPath, [join(root, 'scripts', 'build-if-changed.cjs')], { cwd: root });
    const before = statSync(stamp).mtimeMs;
    const started = Date.now();
    execFileSync(process.execPath, [join(root, 'scripts', 'build-if-changed.cjs')], { cwd: root });
    expect(Date.now() - started).toBeLessThan(800);
    expect(statSync(stamp).mtimeMs).toBe(before);
  });
});
