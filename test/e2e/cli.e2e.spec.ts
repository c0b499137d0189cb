/**
 * The CLI (docs/reference.md#command-line) as a user runs it: `npm run --silent cli -- ...` and the
 * built bin, with `serve` answering HTTP in a child process. On the store SRO_STORE names: a
 * temporary SQLite file, or a fresh PostgreSQL database (so `npm run test:postgres` runs it there
 * too).
 *
 * The import follows the README's own sample file (read from README.md): with one bad row it
 * exits 1 with a JSON report of the line, status and messages; the corrected file re-imported
 * exits 0 with the recorded rows counted as duplicates. Then status (JSON, one officer, CSV),
 * reminders, history, rebuild, and verify after a stored row is edited behind the store's back.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { officerStream } from '../../events/streams';
import { openEventStore } from '../../src/store/backends';
import { buildCli, lastLine, root, runCli, startServer } from '../support/cli-process';
import { createTestDatabase, isPostgresUrl, skipFileUnlessPostgres, TestDatabase } from '../support/postgres';
import { editEventData } from '../support/tamper';

const requestedStore = process.env.SRO_TEST_STORE?.trim() || process.env.SRO_STORE?.trim() || 'sqlite:';
if (isPostgresUrl(requestedStore)) skipFileUnlessPostgres('the CLI end-to-end tests on PostgreSQL', requestedStore);

let dir: string;
let database: TestDatabase | undefined;
let dbPath: string | undefined;
let storeUrl: string;
let env: NodeJS.ProcessEnv;

const cli = (...args: string[]) => runCli(env, ...args);
/** stdout as JSON, after checking the exit code (and that nothing went to stderr). */
function json(result: ReturnType<typeof cli>, status = 0): any {
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status, stderr: '' });
  return JSON.parse(result.stdout);
}

beforeAll(async () => {
  buildCli();
  dir = mkdtempSync(join(tmpdir(), 'sro-cli-'));
  database = isPostgresUrl(requestedStore) ? await createTestDatabase(requestedStore) : undefined;
  dbPath = database ? undefined : join(dir, 'sro.db');
  storeUrl = database ? database.url : `sqlite:${dbPath}`;
  // The ledger's signing key and checkpoint log of this store alone (the default for PostgreSQL is ./data, shared).
  env = { ...process.env, SRO_STORE: storeUrl, SRO_KEY_FILE: join(dir, 'ledger-key.pem') };
}, 60_000);
afterAll(async () => {
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

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
    const missing = join(dir, 'no-such-roster.csv');
    const noFile = cli('import', missing, '--agency', 'wright-so');
    expect({ status: noFile.status, stdout: noFile.stdout }).toEqual({ status: 2, stdout: '' });
    expect(noFile.stderr).toContain(`no such file: ${missing}`);
    expect(cli('import', '--agency', 'wright-so').status).toBe(2);
    expect(cli('status', '--agency', 'wright-so', '--as-of', '2025-02-30').stderr).toContain('--as-of must be a real calendar date');
    expect(cli('reminders', '--agency', 'wright-so', '--horizon-days', 'soon').status).toBe(2);
    expect(cli('rebuild', '--projection', 'no-such-projection').status).toBe(2);
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
      let n = 0;
      const write = () =>
        fetch(`${url}/agencies/wright-so/officers`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ officerId: `o${++n}`, name: 'Sam Officer' }),
        });
      expect((await write()).status).toBe(201);
      // token list prints JSON, like the other query commands; never the token or its hash.
      const listed = json(cli('token', 'list', '--agency', 'wright-so'));
      expect(listed).toEqual([{ name: 'Records admin', role: 'admin', tokenId: expect.any(String), issuedAt: expect.any(String), state: 'active' }]);
      expect(JSON.stringify(listed)).not.toContain(token);
      const revoked = cli('token', 'revoke', '--agency', 'wright-so', '--name', 'Records admin', '--reason', 'left the unit');
      expect(revoked.status).toBe(0);
      // Revoked in another process: the running server refuses the token on its next request.
      expect((await write()).status).toBe(401);
      expect(json(cli('token', 'list', '--agency', 'wright-so'))).toEqual([expect.objectContaining({ name: 'Records admin', state: 'revoked', revokedAt: expect.any(String) })]);
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('import, status, reminders, history, rebuild and verify on the README sample', () => {
  const AGENCY = 'demo-pd';
  /** The sample CSV of README.md "Importing a CSV", as the README shows it. */
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const sample = /## Importing a CSV[\s\S]*?```csv\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  /** An instant between the first import and the corrected one. */
  let between: string;

  beforeAll(() => {
    expect(cli('agency', 'create', '--id', AGENCY, '--name', 'Demo Police Department').status).toBe(0);
  });

  it('the whole file or nothing by default: one bad row, exit 1, the report names it and nothing is recorded; --dry-run checks and records nothing', async () => {
    const bad = file('roster-bad-whole.csv', sample.replace('MN_SRO_BASIC,2025-08-20', 'MN_SRO_BASIC,2025-02-30'));
    const whole = json(cli('import', bad, '--agency', AGENCY), 1);
    expect(whole).toMatchObject({ mode: 'all-or-nothing', committed: false, atomic: true, commands: 3, accepted: 2, rejectedCount: 1, eventsAppended: 0, transactions: 0 });
    expect(whole.rejected).toEqual([{ index: 2, line: 4, command: 'RecordTraining', statusCode: 400, messages: ['completedOn must be a real calendar date ("2025-02-30" is not). Enter the date as YYYY-MM-DD or M/D/YYYY, e.g. 2025-08-12 or 8/12/2025'] }]);
    const dry = json(cli('import', file('roster-dry.csv', sample), '--agency', AGENCY, '--dry-run'));
    expect(dry).toMatchObject({ mode: 'dry-run', committed: false, commands: 3, accepted: 3, rejectedCount: 0, eventsAppended: 0 });
    expect(dry.recorded.map((r: { type: string }) => r.type)).toEqual(['OfficerRegistered', 'OfficerAssigned', 'TrainingCompleted']);
    const store = await openEventStore(storeUrl);
    try {
      expect(await store.readStream(officerStream(AGENCY, 'jdoe'))).toEqual([]);
    } finally {
      await store.close();
    }
    expect(cli('import', bad, '--agency', AGENCY, '--dry-run', '--by-row').status).toBe(2);
  });

  it("the README's sample with one bad row, --by-row: exit 1, a JSON report naming the line, the status and the messages; the other rows are recorded", async () => {
    expect(sample.split('\n').filter(Boolean)).toHaveLength(4);
    expect(sample).toContain('RecordTraining,jdoe,,,,,basic-1,MN_SRO_BASIC,2025-08-20,roster-2025-3');
    const bad = file('roster-bad.csv', sample.replace('MN_SRO_BASIC,2025-08-20', 'MN_SRO_BASIC,2025-02-30'));
    const report = json(cli('import', bad, '--agency', AGENCY, '--by-row'), 1);
    expect(report).toEqual({
      commands: 3,
      accepted: 2,
      duplicates: 0,
      rejectedCount: 1,
      rejected: [{ index: 2, line: 4, command: 'RecordTraining', statusCode: 400, messages: ['completedOn must be a real calendar date ("2025-02-30" is not). Enter the date as YYYY-MM-DD or M/D/YYYY, e.g. 2025-08-12 or 8/12/2025'] }],
      eventsAppended: 2,
      transactions: 1,
    });
    const store = await openEventStore(storeUrl);
    try {
      expect((await store.readStream(officerStream(AGENCY, 'jdoe'))).map((e) => e.type)).toEqual(['OfficerRegistered', 'OfficerAssigned']);
    } finally {
      await store.close();
    }
    between = new Date().toISOString();
  });

  it('the corrected file re-imported: exit 0, the rows already recorded counted as duplicates, the corrected row recorded', () => {
    const report = json(cli('import', file('roster.csv', sample), '--agency', AGENCY));
    expect(report).toEqual({ mode: 'all-or-nothing', committed: true, atomic: true, commands: 3, accepted: 1, duplicates: 2, rejectedCount: 0, rejected: [], eventsAppended: 1, transactions: 1 });
    // Once more: everything is a duplicate, nothing is appended.
    expect(json(cli('import', file('roster.csv', sample), '--agency', AGENCY))).toMatchObject({ accepted: 0, duplicates: 3, eventsAppended: 0 });
  });

  it('status answers on both time axes, for the agency (JSON and --csv) and for one officer', () => {
    const now = json(cli('status', '--agency', AGENCY, '--as-of', '2025-10-01'));
    expect(now).toMatchObject({ agencyId: AGENCY, asOf: '2025-10-01', counts: { NON_COMPLIANT: 1 } });
    expect(now.officers.map((o: { officerId: string; name: string }) => [o.officerId, o.name])).toEqual([['jdoe', 'Jordan Doe']]);
    const rule = (view: { findings: { rule: string }[] }, id: string) => view.findings.find((f) => f.rule === id);
    expect(rule(now.officers[0], 'TRAINING_BEFORE_DUTY')).toMatchObject({ outcome: 'MET' });

    const officer = json(cli('status', '--agency', AGENCY, '--officer', 'jdoe', '--as-of', '2025-10-01'));
    expect(officer).toMatchObject({ officerId: 'jdoe', asOf: '2025-10-01', status: now.officers[0].status });
    expect(officer.findings).toEqual(now.officers[0].findings);
    // As the records stood before the corrected import: the training was not recorded yet.
    const before = json(cli('status', '--agency', AGENCY, '--officer', 'jdoe', '--as-of', '2025-10-01', '--known-at', between));
    expect(before.knownAt).toBe(between);
    expect(rule(before, 'TRAINING_BEFORE_DUTY')).toMatchObject({ outcome: 'VIOLATED', dueDate: '2025-09-02' });

    const csv = cli('status', '--agency', AGENCY, '--as-of', '2025-10-01', '--known-at', between, '--csv');
    expect({ status: csv.status, stderr: csv.stderr }).toEqual({ status: 0, stderr: '' });
    expect(csv.stdout.split('\r\n')[0]).toBe('officerId,name,status,restrictedDuties,openFindings,asOf,knownAt');
    expect(csv.stdout.endsWith('\r\n')).toBe(true);
    const rows = parse(csv.stdout, { columns: true }) as Record<string, string>[];
    const open = before.findings
      .filter((f: { outcome: string }) => f.outcome === 'VIOLATED' || f.outcome === 'PENDING')
      .map((f: { rule: string; outcome: string; dueDate?: string; citation: string }) => `${f.rule} ${f.outcome}${f.dueDate ? ` due ${f.dueDate}` : ''} (${f.citation})`)
      .join('; ');
    expect(rows).toEqual([
      { officerId: 'jdoe', name: 'Jordan Doe', status: before.status, restrictedDuties: before.restrictedDuties.join('; '), openFindings: open, asOf: '2025-10-01', knownAt: between },
      // The agency's own findings, as the last row: the README sample records no policy and no contract.
      expect.objectContaining({ officerId: '(agency)', name: AGENCY, status: '', openFindings: expect.stringMatching(/^SRO_POLICY_ADOPTED VIOLATED due 2025-09-02 .*CONTRACT_FOR_EACH_ASSIGNMENT VIOLATED/) }),
    ]);
    expect(open).toContain('TRAINING_BEFORE_DUTY VIOLATED due 2025-09-02');
  });

  it('reminders list what is due and overdue, sorted, at --as-of and --known-at', () => {
    const later = json(cli('reminders', '--agency', AGENCY, '--as-of', '2025-10-01', '--horizon-days', '30'));
    expect(later).toMatchObject({ agencyId: AGENCY, asOf: '2025-10-01', horizonDays: 30 });
    const earlier = json(cli('reminders', '--agency', AGENCY, '--as-of', '2025-10-01', '--horizon-days', '30', '--known-at', between));
    expect(earlier.knownAt).toBe(between);
    const training = (view: { items: { officerId: string; rule: string; daysLeft: number; message: string }[] }) =>
      view.items.filter((i) => i.officerId === 'jdoe' && i.rule === 'TRAINING_BEFORE_DUTY');
    expect(training(earlier)).toEqual([expect.objectContaining({ dueDate: '2025-09-02', daysLeft: -29, message: expect.stringMatching(/626\.8482/) })]);
    expect(training(later)).toEqual([]);
    for (const view of [earlier, later]) {
      const dues = view.items.map((i: { dueDate: string }) => i.dueDate);
      expect(dues).toEqual([...dues].sort());
      expect(view.items.every((i: { daysLeft: number }) => i.daysLeft <= 30)).toBe(true);
    }
  });

  it('reminders list the agency’s own violated obligations as overdue, in JSON and in CSV (docs/decisions.md W33)', () => {
    // The README sample records no policy and no contract: both agency findings are violated on 2025-10-01.
    const status = json(cli('status', '--agency', AGENCY, '--as-of', '2025-10-01'));
    const violated = status.agencyFindings.filter((f: { outcome: string }) => f.outcome === 'VIOLATED');
    expect(violated.map((f: { rule: string }) => f.rule)).toEqual(['SRO_POLICY_ADOPTED', 'CONTRACT_FOR_EACH_ASSIGNMENT']);
    const view = json(cli('reminders', '--agency', AGENCY, '--as-of', '2025-10-01'));
    const own = view.items.filter((i: { officerId: string | null }) => i.officerId === null);
    // Sorted as every reminder: by due date, then officer (none), then rule.
    const byRule = (a: { rule: string }, b: { rule: string }) => (a.rule < b.rule ? -1 : 1);
    expect(own).toEqual(
      [...violated].sort(byRule).map((f: { rule: string; dueDate: string; citation: string }) =>
        expect.objectContaining({ rule: f.rule, dueDate: f.dueDate, daysLeft: -29, citation: f.citation, scope: 'AGENCY', subject: 'The agency', message: expect.stringContaining('overdue') }),
      ),
    );
    expect(own.map((i: { kind: string }) => i.kind)).toEqual(['SCHOOL_NOT_COVERED', 'POLICY_NOT_ADOPTED']);
    const csv = cli('reminders', '--agency', AGENCY, '--as-of', '2025-10-01', '--csv');
    expect(csv.status).toBe(0);
    const rows = parse(csv.stdout, { columns: true }) as Record<string, string>[];
    const agencyRows = rows.filter((r) => r.scope === 'AGENCY' && r.officerId === '');
    // A negative number is a number, not a formula: not guarded (docs/decisions.md W34).
    expect(agencyRows.map((r) => [r.subject, r.rule, r.dueDate, r.daysLeft])).toEqual([
      ['The agency', 'CONTRACT_FOR_EACH_ASSIGNMENT', '2025-09-02', '-29'],
      ['The agency', 'SRO_POLICY_ADOPTED', '2025-09-02', '-29'],
    ]);
    expect(agencyRows[0].citation).toBe('Minn. Stat. 626.8482 subd. 1(c); policy "Definitions"');
    expect(agencyRows[0].message).toMatch(/^The agency: record an SRO contract .*29 day\(s\) overdue\./);
  });

  it('history shows every event with both time axes and who recorded it; an unknown officer is exit 1', () => {
    const history = json(cli('history', '--agency', AGENCY, '--officer', 'jdoe'));
    const own = history.events.filter((e: { stream: string }) => e.stream === 'officer');
    expect(own.map((e: { type: string }) => e.type)).toEqual(['OfficerRegistered', 'OfficerAssigned', 'TrainingCompleted']);
    expect(own.every((e: { recordedBy: string }) => /^cli:/.test(e.recordedBy))).toBe(true);
    expect(own[2]).toMatchObject({ effectiveDate: '2025-08-20', retracted: false });
    expect(own[2].recordedAt > between).toBe(true);
    expect(history.statusIntervals.length).toBeGreaterThan(0);
    const earlier = json(cli('history', '--agency', AGENCY, '--officer', 'jdoe', '--known-at', between));
    expect(earlier.events.filter((e: { stream: string }) => e.stream === 'officer')).toHaveLength(2);
    const unknown = cli('history', '--agency', AGENCY, '--officer', 'nobody');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain(`officer nobody is not registered with agency ${AGENCY}`);
  });

  it("rebuild brings every read model to the log's last position, and the answers do not change", async () => {
    const knownAt = new Date().toISOString();
    const ask = () => json(cli('status', '--agency', AGENCY, '--as-of', '2026-06-30', '--known-at', knownAt));
    const before = ask();
    const rebuilt = cli('rebuild');
    expect({ status: rebuilt.status, stderr: rebuilt.stderr }).toEqual({ status: 0, stderr: '' });
    const store = await openEventStore(storeUrl);
    let last = 0;
    try {
      for await (const e of store.readAll({ batchSize: 1000 })) last = e.position;
    } finally {
      await store.close();
    }
    const positions = [...rebuilt.stdout.matchAll(/^(\S+): rebuilt to position (\d+) in \d+ ms$/gm)].map((m) => [m[1], Number(m[2])]);
    expect(positions.length).toBeGreaterThanOrEqual(2);
    expect(positions.map(([, p]) => p)).toEqual(positions.map(() => last));
    expect(ask()).toEqual(before);
    // One projection alone, by name.
    const one = cli('rebuild', '--projection', String(positions[0][0]));
    expect(one.status).toBe(0);
    expect(one.stdout).toMatch(new RegExp(`^${positions[0][0]}: rebuilt to position ${last} in \\d+ ms$`, 'm'));
  });

  it('verify exits 0 on the untouched store, and 1 naming the stream and the event after a stored row is edited', async () => {
    const ok = cli('verify');
    expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: '' });
    expect(ok.stdout).toMatch(/"ok":\s*true/);
    const stream = officerStream(AGENCY, 'jdoe');
    const eventId = await editEventData({ dbPath, storeUrl }, stream, 'TrainingCompleted', (data) => data.replace('2025-08-20', '2025-08-02'));
    const broken = cli('verify');
    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(/"ok":\s*false/);
    expect(broken.stdout).toContain(stream);
    expect(broken.stdout).toContain(eventId);
  });
});
