/**
 * The upcaster chain (events/upcasters.ts; docs/reference.md#events): stored data is lifted one
 * schema version at a time to the current one, never rewritten; a version newer than this build
 * knows, a missing step or an unknown type is refused by name, not read as something else.
 */
import { EVENT_TYPES } from '../../events/catalogue';
import { CURRENT_SCHEMA_VERSION, UnknownEventError, upcast, UPCASTERS, type UpcasterTable } from '../../events/upcasters';

/** A made-up history of one event type: v1 {name}, v2 split into {first, last}, v3 adds {title}. */
const CURRENT = { Renamed: 3 };
const TABLE: UpcasterTable = {
  Renamed: {
    1: (data) => {
      const [first, ...rest] = String(data.name).split(' ');
      return { first, last: rest.join(' ') };
    },
    2: (data) => ({ ...data, title: data.title ?? null }),
  },
};

describe('upcast', () => {
  it('lifts stored data through every step, in order, to the current version', () => {
    expect(upcast({ type: 'Renamed', schemaVersion: 1, data: { name: 'Jordan Q Doe' } }, TABLE, CURRENT)).toEqual({
      type: 'Renamed',
      data: { first: 'Jordan', last: 'Q Doe', title: null },
    });
    expect(upcast({ type: 'Renamed', schemaVersion: 2, data: { first: 'A', last: 'B', title: 'Sgt' } }, TABLE, CURRENT).data).toEqual({ first: 'A', last: 'B', title: 'Sgt' });
    // At the current version: the data as stored, not a copy run through any step.
    const current = { first: 'A', last: 'B', title: 'Lt' };
    expect(upcast({ type: 'Renamed', schemaVersion: 3, data: current }, TABLE, CURRENT).data).toBe(current);
  });

  it('does not change the stored data it lifts', () => {
    const stored = { type: 'Renamed', schemaVersion: 1, data: { name: 'Pat Officer' } };
    upcast(stored, TABLE, CURRENT);
    expect(stored).toEqual({ type: 'Renamed', schemaVersion: 1, data: { name: 'Pat Officer' } });
  });

  it('refuses a schema version newer than this build knows, naming the type and both versions', () => {
    const newer = () => upcast({ type: 'Renamed', schemaVersion: 4, data: {} }, TABLE, CURRENT);
    expect(newer).toThrow(UnknownEventError);
    expect(newer).toThrow('Renamed schema version 4 is newer than this build knows (3)');
    expect(() => upcast({ type: 'OfficerRegistered', schemaVersion: CURRENT_SCHEMA_VERSION.OfficerRegistered + 1, data: {} })).toThrow(/OfficerRegistered schema version \d+ is newer/);
  });

  it('refuses data whose chain misses a step, naming the version it cannot lift', () => {
    const gap: UpcasterTable = { Renamed: { 2: TABLE.Renamed![2] } };
    const missing = () => upcast({ type: 'Renamed', schemaVersion: 1, data: { name: 'x' } }, gap, CURRENT);
    expect(missing).toThrow(UnknownEventError);
    expect(missing).toThrow('no upcaster for Renamed from schema version 1');
    // From version 2 on the chain is whole.
    expect(upcast({ type: 'Renamed', schemaVersion: 2, data: { first: 'a', last: 'b' } }, gap, CURRENT).data).toEqual({ first: 'a', last: 'b', title: null });
    expect(() => upcast({ type: 'Renamed', schemaVersion: 1, data: {} }, {}, CURRENT)).toThrow('no upcaster for Renamed from schema version 1');
  });

  it('refuses an unknown event type', () => {
    expect(() => upcast({ type: 'NoSuchEvent', schemaVersion: 1, data: {} })).toThrow(new UnknownEventError('unknown event type NoSuchEvent'));
  });

  it("this build's own table: every type has a current version, and a step for every version below it", () => {
    expect(Object.keys(CURRENT_SCHEMA_VERSION).sort()).toEqual([...EVENT_TYPES].sort());
    for (const type of EVENT_TYPES) {
      const current = CURRENT_SCHEMA_VERSION[type];
      expect({ type, current: Number.isSafeInteger(current) && current >= 1 }).toEqual({ type, current: true });
      for (let v = 1; v < current; v++) expect({ type, v, step: typeof UPCASTERS[type]?.[v] }).toEqual({ type, v, step: 'function' });
    }
    for (const type of Object.keys(UPCASTERS)) expect(EVENT_TYPES).toContain(type);
  });

  it('SroPolicyAdopted 1 → 2: a version-1 adoption is read as it was, without a modelRevision', () => {
    const v1 = { version: 'v1', adoptedOn: '2025-08-15', documentSha256: 'a'.repeat(64) };
    expect(CURRENT_SCHEMA_VERSION.SroPolicyAdopted).toBe(2);
    expect(upcast({ type: 'SroPolicyAdopted', schemaVersion: 1, data: v1 })).toEqual({ type: 'SroPolicyAdopted', data: v1 });
    const v2 = { version: 'v2', adoptedOn: '2025-11-01', modelRevision: '2025-10-23' };
    expect(upcast({ type: 'SroPolicyAdopted', schemaVersion: 2, data: v2 }).data).toBe(v2);
  });
});
