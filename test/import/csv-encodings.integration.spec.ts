/**
 * The encodings of an import file (src/common/text-file.ts, decisions W34): Excel's "CSV (Comma
 * delimited)" (Windows-1252), "Unicode text" (UTF-16 LE with a byte-order mark, tab-separated),
 * "CSV UTF-8" (with a byte-order mark) and plain UTF-8 are read as the letters they hold; a file
 * that is none of them is refused with a sentence a clerk understands, and nothing is recorded.
 * The import runs on a real SQLite file, through readCsvCommands and the bulk import, as the CLI's.
 */
import 'reflect-metadata';
import iconv from 'iconv-lite';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agencyStream, officerStream } from '../../events/streams';
import { decodeTextFile, delimiterOf, NotTextError, textFileFormat } from '../../src/common/text-file';
import { BulkImporter } from '../../src/import/bulk-import';
import { csvFileFormat, CsvFormatError, readCsvCommands } from '../../src/import/csv-commands';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store';

const AGENCY = 'enc-pd';
const ROWS = [
  ['command', 'officerId', 'name'],
  ['RegisterOfficer', 'asa', 'Åsa Ödegård'],
  ['RegisterOfficer', 'jose', 'José Peña'],
];
const commaText = ROWS.map((r) => r.join(',')).join('\r\n') + '\r\n';
const tabText = ROWS.map((r) => r.join('\t')).join('\r\n') + '\r\n';

/** The bytes Excel writes, by its "Save as type". */
export const EXCEL = {
  /** "CSV (Comma delimited)" on Windows in the United States: Windows-1252, no byte-order mark. */
  windows1252: iconv.encode(commaText, 'windows-1252'),
  /** "Unicode text": UTF-16 little-endian with a byte-order mark, tab-separated. */
  unicodeText: Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(tabText, 'utf-16le')]),
  /** "CSV UTF-8 (Comma delimited)": UTF-8 with a byte-order mark. */
  utf8Bom: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(commaText, 'utf8')]),
  utf16be: Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(commaText, 'utf-16be')]),
  utf8: Buffer.from(commaText, 'utf8'),
  /** Bytes that are not UTF-8, and 0x81 and 0x8D have no letter in Windows-1252 either. */
  neither: Buffer.concat([Buffer.from('command,officerId,name\r\nRegisterOfficer,bad,B', 'latin1'), Buffer.from([0x81, 0x8d]), Buffer.from('rn\r\n', 'latin1')]),
};

let dir: string;
let store: SqliteEventStore;
let files = 0;

function file(bytes: Buffer): string {
  const path = join(dir, `import-${++files}.csv`);
  writeFileSync(path, bytes);
  return path;
}

async function names(): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  for (const id of ['asa', 'jose', 'bad']) {
    const events = await store.readStream(officerStream(AGENCY, id));
    if (events.length) found[id] = (events[0].data as { name: string }).name;
  }
  return found;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sro-enc-'));
  store = SqliteEventStore.open(join(dir, 'sro.db'));
  await store.appendToStream(
    agencyStream(AGENCY),
    [{ eventId: randomUUID(), type: 'AgencyRegistered', schemaVersion: 1, data: { agencyId: AGENCY, name: 'Encodings PD' }, metadata: { recordedBy: 'test', correlationId: 'c' } }],
    { expectedRevision: 'no_stream' },
  );
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the encoding and delimiter of an import file', () => {
  it.each([
    ['Excel "CSV (Comma delimited)": Windows-1252', EXCEL.windows1252, { encoding: 'windows-1252', bom: false, delimiter: ',' }],
    ['Excel "Unicode text": UTF-16 LE with a BOM, tab-separated', EXCEL.unicodeText, { encoding: 'utf-16le', bom: true, delimiter: '\t' }],
    ['Excel "CSV UTF-8": UTF-8 with a BOM', EXCEL.utf8Bom, { encoding: 'utf-8', bom: true, delimiter: ',' }],
    ['UTF-16 BE with a BOM', EXCEL.utf16be, { encoding: 'utf-16be', bom: true, delimiter: ',' }],
    ['UTF-8 without a BOM', EXCEL.utf8, { encoding: 'utf-8', bom: false, delimiter: ',' }],
  ])('%s: found from the bytes, on disk and in memory, and the names read as written', async (_, bytes, format) => {
    expect(await textFileFormat(file(bytes))).toEqual(format);
    const decoded = decodeTextFile(bytes);
    expect(decoded.format).toEqual(format);
    expect(decoded.text).toBe(format.delimiter === '\t' ? tabText : commaText);
  });

  it('a delimiter is the header line’s: more tabs than commas (outside quotes) is a tab', () => {
    expect(delimiterOf('command\tofficerId\tname')).toBe('\t');
    expect(delimiterOf('command,officerId,name')).toBe(',');
    expect(delimiterOf('"a\tb\tc",d')).toBe(',');
    expect(delimiterOf('command')).toBe(',');
  });

  it('a large file is streamed: a letter cut between two chunks, and bytes not UTF-8 only at its end, are read right', async () => {
    // 64 KiB is the stream's chunk: "Å" (two bytes in UTF-8) straddles the first boundary.
    const pad = 'RegisterOfficer,p,' + 'x'.repeat(65_536 - 'command,officerId,name\r\n'.length - 'RegisterOfficer,p,'.length - 1);
    const utf8 = Buffer.from(`command,officerId,name\r\n${pad}Å\r\n`, 'utf8');
    expect(utf8.indexOf(Buffer.from('Å', 'utf8'))).toBe(65_535);
    expect(await textFileFormat(file(utf8))).toEqual({ encoding: 'utf-8', bom: false, delimiter: ',' });
    const late = Buffer.concat([utf8, iconv.encode('RegisterOfficer,q,Peña\r\n', 'windows-1252')]);
    expect(await textFileFormat(file(late))).toEqual({ encoding: 'windows-1252', bom: false, delimiter: ',' });
    // UTF-16: a letter outside the BMP (a surrogate pair) across the boundary is not a lone surrogate.
    const wide = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(`command,officerId,name\r\nRegisterOfficer,p,${'x'.repeat(32_741)}😀\r\n`, 'utf-16le')]);
    expect(await textFileFormat(file(wide))).toEqual({ encoding: 'utf-16le', bom: true, delimiter: ',' });
  });

  it.each([
    ['bytes that are neither UTF-8 nor Windows-1252', EXCEL.neither, /^Line 2 of the file holds “\ufffd”/],
    ['a letter already lost before the file was saved (U+FFFD in UTF-8)', Buffer.from('command,officerId,name\nRegisterOfficer,x,Jos\ufffd\n', 'utf8'), /^Line 2 of the file holds “\ufffd”/],
    ['a spreadsheet (.xlsx is a zip)', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00]), /^This file cannot be read as text: line 1 holds a NUL byte/],
    ['UTF-16 without a BOM (NUL bytes)', iconv.encode(commaText, 'utf-16le'), /^This file cannot be read as text: line 1 holds a NUL byte, which no CSV holds, so the file may be a spreadsheet \(.xlsx\), UTF-16 text without its byte-order mark/],
    ['UTF-16 with an odd last byte', Buffer.concat([EXCEL.unicodeText, Buffer.from([0x41])]), /^This file cannot be read as text: it ends in the middle of a letter/],
  ])('%s: refused with a sentence, in memory and on disk', async (_, bytes, sentence) => {
    expect(() => decodeTextFile(bytes)).toThrow(NotTextError);
    expect(() => decodeTextFile(bytes)).toThrow(sentence);
    await expect(textFileFormat(file(bytes))).rejects.toThrow(sentence);
    await expect(csvFileFormat(file(bytes))).rejects.toThrow(CsvFormatError);
    await expect(csvFileFormat(file(bytes))).rejects.toThrow(/Save As → “CSV UTF-8 \(Comma delimited\)”.*Nothing was recorded\.$/);
  });
});

describe('importing Excel’s files (readCsvCommands + BulkImporter on SQLite)', () => {
  it.each([
    ['Windows-1252', EXCEL.windows1252],
    ['UTF-16 LE, tab-separated', EXCEL.unicodeText],
    ['UTF-8 with a BOM', EXCEL.utf8Bom],
    ['UTF-16 BE', EXCEL.utf16be],
  ])('%s: records "Åsa Ödegård" and "José Peña", never U+FFFD', async (_, bytes) => {
    const report = await new BulkImporter(store).import(readCsvCommands(file(bytes)), { agencyId: AGENCY, recordedBy: 'cli:test' });
    expect(report).toMatchObject({ commands: 2, accepted: 2, rejectedCount: 0 });
    expect(await names()).toEqual({ asa: 'Åsa Ödegård', jose: 'José Peña' });
  });

  it('a file that is not text: refused before any row, also when rows are recorded one by one', async () => {
    const bad = Buffer.concat([EXCEL.windows1252, EXCEL.neither.subarray(EXCEL.neither.indexOf('\r\n') + 2)]);
    const rows = readCsvCommands(file(bad));
    await expect(new BulkImporter(store).import(rows, { agencyId: AGENCY, recordedBy: 'cli:test', mode: 'rows' })).rejects.toThrow(/^Line 4 of the file holds “\ufffd”/);
    expect(await names()).toEqual({});
  });
});
