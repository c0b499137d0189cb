/**
 * The CLI's `import <file.csv> --agency <id> [--dry-run]` with the files Excel writes (decisions
 * W34), run as a user runs it (the built CLI, a SQLite file): the report says how the file was
 * read; "Åsa Ödegård" and "José Peña" are recorded as written from a Windows-1252 file and from a
 * tab-separated UTF-16 LE one; a file that is neither is refused with the clerk's sentence (exit 2)
 * and records nothing.
 */
import iconv from 'iconv-lite';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { officerStream } from '../../events/streams';
import { openEventStore } from '../../src/store/backends';
import { buildCli, runCli } from '../support/cli-process';

let dir: string;
let env: NodeJS.ProcessEnv;
let storeUrl: string;
const AGENCY = 'enc-so';

const cli = (...args: string[]) => runCli(env, ...args);
const rows = (delimiter: string) => [['command', 'officerId', 'name'], ['RegisterOfficer', 'asa', 'Åsa Ödegård'], ['RegisterOfficer', 'jose', 'José Peña']].map((r) => r.join(delimiter)).join('\r\n') + '\r\n';

function file(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

async function names(): Promise<Record<string, string>> {
  const store = await openEventStore(storeUrl);
  try {
    const found: Record<string, string> = {};
    for (const id of ['asa', 'jose', 'bad']) {
      const events = await store.readStream(officerStream(AGENCY, id));
      const registered = events.find((e) => e.type === 'OfficerRegistered');
      if (registered) found[id] = (registered.data as { name: string }).name;
    }
    return found;
  } finally {
    await store.close();
  }
}

beforeAll(() => {
  buildCli();
  dir = mkdtempSync(join(tmpdir(), 'sro-cli-enc-'));
  storeUrl = `sqlite:${join(dir, 'sro.db')}`;
  env = { ...process.env, SRO_STORE: storeUrl, SRO_KEY_FILE: join(dir, 'ledger-key.pem') };
  expect(cli('agency', 'create', '--id', AGENCY, '--name', 'Encodings Sheriff').status).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('import of the files Excel writes', () => {
  it('a file of bytes neither UTF-8 nor Windows-1252: exit 2, the clerk’s sentence, nothing recorded', async () => {
    const bad = file('bad.csv', Buffer.concat([iconv.encode(rows(','), 'windows-1252'), Buffer.from('RegisterOfficer,bad,B'), Buffer.from([0x81, 0x8d]), Buffer.from('rn\r\n')]));
    for (const args of [[], ['--dry-run'], ['--by-row']]) {
      const refused = cli('import', bad, '--agency', AGENCY, ...args);
      expect({ status: refused.status, stdout: refused.stdout }).toEqual({ status: 2, stdout: '' });
      expect(refused.stderr).toContain('error: Line 4 of the file holds “\ufffd”, the mark a program leaves where it could not read a letter');
      expect(refused.stderr).toContain('Nothing was recorded.');
      expect(refused.stderr).not.toContain('Usage:'); // the file is wrong, not the command
    }
    expect(await names()).toEqual({});
  });

  it('Excel "CSV (Comma delimited)" (Windows-1252): the dry run says so and shows the names; the import records them', async () => {
    const excel = file('roster.csv', iconv.encode(rows(','), 'windows-1252'));
    const dry = cli('import', excel, '--agency', AGENCY, '--dry-run');
    expect({ status: dry.status, stderr: dry.stderr }).toEqual({ status: 0, stderr: '' });
    const report = JSON.parse(dry.stdout);
    expect(report.file).toEqual({ encoding: 'windows-1252', byteOrderMark: false, delimiter: 'comma', readAs: 'Windows-1252 (Excel’s “CSV (Comma delimited)” on Windows), comma-separated' });
    expect(report.recorded.map((r: { data: { name: string } }) => r.data.name)).toEqual(['Åsa Ödegård', 'José Peña']);
    expect(await names()).toEqual({});
    const done = cli('import', excel, '--agency', AGENCY);
    expect({ status: done.status, stderr: done.stderr }).toEqual({ status: 0, stderr: '' });
    expect(JSON.parse(done.stdout)).toMatchObject({ accepted: 2, eventsAppended: 2 });
    expect(await names()).toEqual({ asa: 'Åsa Ödegård', jose: 'José Peña' });
  });

  it('Excel "Unicode text" (UTF-16 LE with a BOM, tab-separated): read as such; the same rows again are refused as already registered, not as garbled names', () => {
    const unicode = file('roster.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(rows('\t'), 'utf-16le')]));
    const dry = cli('import', unicode, '--agency', AGENCY, '--dry-run');
    const report = JSON.parse(dry.stdout);
    expect(report.file).toEqual({ encoding: 'utf-16le', byteOrderMark: true, delimiter: 'tab', readAs: 'UTF-16 little-endian (Excel’s “Unicode text”), tab-separated' });
    expect(report.rejected.map((r: { messages: string[] }) => r.messages)).toEqual([['officerId: officer asa is already registered'], ['officerId: officer jose is already registered']]);
  });
});
