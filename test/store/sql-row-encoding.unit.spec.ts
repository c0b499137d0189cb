/**
 * LogRow.encoded (src/store/sql/sql-rows.ts): what the verification's memory of the log digests.
 * Two rows whose values differ in any way toRecordedEvent could see must never give the same text,
 * or a row altered between two verifications would pass as the one read before.
 */
import fc from 'fast-check';
import { encodeEventRow, type EventRow } from '../../src/store/sql/sql-rows';

const row = (over: Partial<Record<keyof EventRow<unknown>, unknown>> = {}): EventRow<unknown> =>
  ({
    position: 7,
    event_id: 'e-7',
    stream: 'officer-pd-ana',
    revision: 2,
    type: 'PolicyReviewed',
    schema_version: 1,
    data: '{"version":"2025-10"}',
    recorded_at: '2025-08-20T10:00:00.000Z',
    recorded_by: 'clerk',
    correlation_id: 'c-1',
    prev_hash: 'a'.repeat(64),
    hash: 'b'.repeat(64),
    ...over,
  }) as EventRow<unknown>;

describe('a row of the log as its stored values', () => {
  it('is the same text for the same values', () => {
    expect(encodeEventRow(row())).toBe(encodeEventRow(row()));
  });

  it.each<[string, Partial<Record<keyof EventRow<unknown>, unknown>>, Partial<Record<keyof EventRow<unknown>, unknown>>]>([
    ['a character moved from one column to the next', { recorded_by: 'clerk', correlation_id: 'c-1' }, { recorded_by: 'clerkc', correlation_id: '-1' }],
    ['a number stored as text', { revision: 2 }, { revision: '2' }],
    ['-0 for 0', { revision: 0 }, { revision: -0 }],
    ['Infinity for NULL', { correlation_id: null }, { correlation_id: Infinity }],
    ['NULL for the text "null"', { data: null }, { data: 'null' }],
    ['a blob for its text', { data: '{"a":1}' }, { data: Buffer.from('{"a":1}') }],
    ['a blob for the JSON of a blob', { data: Buffer.from('x') }, { data: { type: 'Buffer', data: [120] } }],
    ['parsed JSON for its text', { data: { a: 1 } }, { data: '{"a":1}' }],
    ['a bigint position for its number', { position: 7 }, { position: 7n }],
    ['a NUL and what follows it', { stream: 'officer-pd-ana' }, { stream: 'officer-pd-ana\0x' }],
  ])('tells apart %s', (_name, a, b) => {
    expect(encodeEventRow(row(a))).not.toBe(encodeEventRow(row(b)));
  });

  it('never gives one text for two different rows of strings, numbers and NULLs (property)', () => {
    const value = fc.oneof(fc.string({ unit: 'binary', maxLength: 2 }), fc.double(), fc.integer({ min: -2, max: 2 }), fc.constantFrom(null, 0, -0, Infinity, NaN));
    const values = fc.array(value, { minLength: 12, maxLength: 12 });
    const keys = Object.keys(row()) as (keyof EventRow<unknown>)[];
    const of = (vs: unknown[]) => row(Object.fromEntries(keys.map((k, i) => [k, vs[i]])));
    fc.assert(
      // b: a with one value replaced (often by an equal one), so that equal rows are tried too.
      fc.property(values, fc.nat(11), value, (a, i, v) => {
        const b = Object.assign([...a], { [i]: v });
        const equal = a.every((v, i) => Object.is(v, b[i]));
        return equal === (encodeEventRow(of(a)) === encodeEventRow(of(b)));
      }),
      { numRuns: 5000 },
    );
  });
});
