/**
 * SQLite writes each row of the log as its stored values itself (ROW_AS_STORED in
 * src/store/sqlite/sqlite-read.ts), for the verification's memory of the log: two rows with any
 * value different must never give the same bytes, and a row not of the STRICT table's types
 * (a table rebuilt without STRICT, or a file edited, holds anything) must match nothing.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { EVENT_COLUMNS } from '../../src/store/sql/sql-rows';
import { ROW_AS_STORED } from '../../src/store/sqlite/sqlite-read';

const columns = EVENT_COLUMNS.split(', ');
let db: Database.Database;
let encode: (values: unknown[]) => Buffer;

beforeAll(() => {
  db = new Database(':memory:');
  // No types: every column keeps what it is given, as in a table rebuilt behind the store's back.
  db.exec(`CREATE TABLE events (${columns.join(', ')})`);
  const insert = db.prepare(`INSERT INTO events (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
  const select = db.prepare(`SELECT CAST(${ROW_AS_STORED} AS BLOB) AS encoded FROM events`).pluck();
  encode = (values) => {
    db.exec('DELETE FROM events');
    // better-sqlite3 binds a JavaScript number as a REAL: an integer goes as a BigInt, stored INTEGER.
    insert.run(...values.map((v) => (typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : v)));
    if (values.some((v) => Buffer.isBuffer(v) && v[0] === 0xff)) db.exec(`UPDATE events SET ${columns.map((c) => `${c} = CASE WHEN typeof(${c}) = 'blob' THEN CAST(${c} AS TEXT) ELSE ${c} END`).join(', ')}`);
    return select.get() as Buffer;
  };
});
afterAll(() => db.close());

const base = (): unknown[] => [7, 'e-7', 'officer-pd-ana', 2, 'PolicyReviewed', 1, '{"version":"2025-10"}', '2025-08-20T10:00:00.000Z', 'clerk', 'c-1', 'a'.repeat(64), 'b'.repeat(64)];
const with_ = (i: number, v: unknown) => Object.assign(base(), { [i]: v });

describe("SQLite's encoding of a row as stored", () => {
  it('is the same bytes for the same row', () => {
    expect(encode(base())).toEqual(encode(base()));
  });

  it.each<[string, unknown[], unknown[]]>([
    ['a character moved from one column to the next', Object.assign(base(), { 8: 'clerk', 9: 'c-1' }), Object.assign(base(), { 8: 'clerkc', 9: '-1' })],
    ['what follows a NUL in a text', with_(2, 'officer\0a'), with_(2, 'officer\0b')],
    ['two texts that are not UTF-8', with_(7, Buffer.from([0xff])), with_(7, Buffer.from([0xff, 0xff]))],
    ['a quote or a backslash', with_(6, '{"a":"\\"}'), with_(6, '{"a":"\\\\"}')],
  ])('tells apart %s', (_name, a, b) => {
    // A Buffer given for a text column is stored as that text's bytes (the CAST in `encode`). Rows of the table's types: the same bytes each time.
    expect(encode(a)).toEqual(encode(a));
    expect(encode(b)).toEqual(encode(b));
    expect(encode(a)).not.toEqual(encode(b));
  });

  it.each<[string, unknown[]]>([
    ['an integer stored as text', with_(3, '2')],
    ['text stored as an integer', with_(8, 5)],
    ['text stored as a blob', with_(6, Buffer.from('{"a":1}'))],
    ['a NULL', with_(9, null)],
    ['a REAL (json_array would write 2.5000000000000004 as 2.5)', with_(3, 2.5)],
  ])('gives a row not of the table’s types (%s) random bytes: it never matches what was read before, not even itself', (_name, row) => {
    expect(encode(row)).not.toEqual(encode(row));
    expect(encode(row)).not.toEqual(encode(base()));
  });

  it('never gives the same bytes for two different rows of the table’s types (property)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 2 });
    const integer = fc.integer({ min: -2, max: 2 });
    const row = fc.tuple(integer, text, text, integer, text, integer, text, text, text, text, text, text);
    fc.assert(
      // b: a with one value replaced (often by an equal one), so that equal rows are tried too.
      fc.property(row, fc.nat(11), text, integer, (a, i, t, n) => {
        const b: unknown[] = Object.assign([...a], { [i]: typeof a[i] === 'number' ? n : t });
        // Lone surrogates are stored as U+FFFD: two strings that differ only there are one stored text.
        const stored = (vs: unknown[]) => vs.map((v) => (typeof v === 'string' ? Buffer.from(v).toString() : v));
        const [x, y] = [stored(a), stored(b)];
        return x.every((v, k) => Object.is(v, y[k])) === encode(a).equals(encode(b));
      }),
      { numRuns: 3000 },
    );
  });
});
