/**
 * The EventStoreDB adapter's pure mappings (src/store/esdb/esdb-mapping.ts). Runs everywhere,
 * without a server; the adapter itself is checked by the contract suite in
 * esdb-event-store.integration.spec.ts when ESDB_URL is set.
 */
import { randomUUID } from 'node:crypto';
import { ANY, NO_STREAM } from '@eventstore/db-client';
import { GENESIS_HASH, hashEvent } from '../../events/integrity';
import { chainEvents, validateNewEvents } from '../../src/store/append-support';
import {
  assertEsdbEventId,
  createdDriftMs,
  decodeMetadata,
  decodeRecord,
  encodeMetadata,
  EsdbDecodeError,
  EsdbFollowUp,
  EsdbRecordLike,
  followUpOf,
  fromEsdbCurrentRevision,
  fromEsdbExpectedRevision,
  guardRevision,
  isSystemRecord,
  numberToPosition,
  parseEsdbUrl,
  positionToNumber,
  streamIndexFor,
  streamOfLink,
  toEsdbExpectedRevision,
  writeIdOf,
} from '../../src/store/esdb/esdb-mapping';
import { openEventStore } from '../../src/store/backends';
import { newEvent } from './event-store.contract';

describe('EventStoreDB mapping: expected revision', () => {
  it('maps the port to EventStoreDB', () => {
    expect(toEsdbExpectedRevision('no_stream')).toBe(NO_STREAM);
    expect(toEsdbExpectedRevision(-1)).toBe(NO_STREAM);
    expect(toEsdbExpectedRevision('any')).toBe(ANY);
    expect(toEsdbExpectedRevision(0)).toBe(0n);
    expect(toEsdbExpectedRevision(41)).toBe(41n);
    expect(toEsdbExpectedRevision(Number.MAX_SAFE_INTEGER)).toBe(BigInt(Number.MAX_SAFE_INTEGER));
  });

  it('refuses what is not an expected revision', () => {
    for (const bad of [-2, 1.5, Number.NaN, '0', null, undefined, 'stream_exists']) {
      expect(() => toEsdbExpectedRevision(bad as never)).toThrow(TypeError);
    }
  });

  it('maps EventStoreDB back to the port', () => {
    expect(fromEsdbExpectedRevision(NO_STREAM)).toBe('no_stream');
    expect(fromEsdbExpectedRevision(ANY)).toBe('any');
    expect(fromEsdbExpectedRevision(7n)).toBe(7);
    expect(() => fromEsdbExpectedRevision('stream_exists')).toThrow(TypeError);
    expect(fromEsdbCurrentRevision(NO_STREAM)).toBe('no_stream');
    expect(fromEsdbCurrentRevision(-1n)).toBe('no_stream');
    expect(fromEsdbCurrentRevision(0n)).toBe(0);
    expect(fromEsdbCurrentRevision(12n)).toBe(12);
    expect(() => fromEsdbCurrentRevision(2n ** 60n)).toThrow(RangeError);
  });

  it('guards every append with the exact head it chained from, never ANY', () => {
    expect(guardRevision(undefined)).toBe(NO_STREAM);
    expect(guardRevision(-1)).toBe(NO_STREAM);
    expect(guardRevision(0)).toBe(0n);
    expect(guardRevision(9)).toBe(9n);
  });
});

describe('EventStoreDB mapping: positions', () => {
  it('is the commit position as a number, and back as { commit, prepare }', () => {
    expect(positionToNumber({ commit: 1234n, prepare: 1234n })).toBe(1234);
    expect(numberToPosition(1234)).toEqual({ commit: 1234n, prepare: 1234n });
    expect(positionToNumber(numberToPosition(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses positions a number cannot hold exactly (beyond 2^53 - 1)', () => {
    expect(() => positionToNumber({ commit: 2n ** 53n, prepare: 2n ** 53n })).toThrow(RangeError);
    expect(() => positionToNumber({ commit: 18446744073709551615n, prepare: 0n })).toThrow(RangeError);
    expect(() => positionToNumber({ commit: -1n, prepare: -1n })).toThrow(RangeError);
    expect(() => numberToPosition(-1)).toThrow(TypeError);
    expect(() => numberToPosition(1.5)).toThrow(TypeError);
  });
});

describe('EventStoreDB mapping: metadata and records', () => {
  const chained = () => {
    const [validated] = validateNewEvents([newEvent({ type: 'OfficerRegistered', data: { officerId: 'o-1', name: 'Ann' } })], new Set());
    return { validated, event: chainEvents('officer-a/o-1', undefined, [validated], '2026-03-01T12:00:00.000Z')[0] };
  };

  it('encodes exactly the fields the chain needs and decodes them back', () => {
    const { event } = chained();
    const meta = encodeMetadata(event);
    expect(Object.keys(meta).sort()).toEqual(['correlationId', 'hash', 'prevHash', 'recordedAt', 'recordedBy', 'schemaVersion']);
    // Through JSON, as the client stores it.
    expect(decodeMetadata(JSON.parse(JSON.stringify(meta)), 'here')).toEqual(meta);
    // The per-append writeId rides along, outside the hash and the port's event.
    const withId = JSON.parse(JSON.stringify(encodeMetadata(event, 'w-1')));
    expect(writeIdOf(withId)).toBe('w-1');
    expect(writeIdOf(meta)).toBeUndefined();
    expect(decodeMetadata(withId, 'here')).toEqual(meta);
  });

  it('carries the follow-up append an enrolment promises outside the hash and the port event, and reads back only a well-formed one', () => {
    const { event } = chained();
    const followUp: EsdbFollowUp = { stream: 'p-officer-a/o-2', revision: -1, events: [{ id: randomUUID(), type: 'OfficerRegistered', data: { officerId: 'o-2' }, metadata: encodeMetadata(event, 'w-2') }] };
    const stored = JSON.parse(JSON.stringify(encodeMetadata(event, 'w-1', followUp)));
    expect(followUpOf(stored)).toEqual(followUp);
    expect(decodeMetadata(stored, 'here')).toEqual(encodeMetadata(event));
    expect(followUpOf(encodeMetadata(event, 'w-1'))).toBeUndefined();
    for (const broken of [{ ...followUp, stream: 1 }, { ...followUp, revision: -2 }, { ...followUp, revision: 0.5 }, { ...followUp, events: [] }, { ...followUp, events: [{ id: 'x' }] }]) {
      expect(followUpOf({ ...stored, followedBy: broken })).toBeUndefined();
    }
    expect(followUpOf(undefined)).toBeUndefined();
  });

  it('refuses metadata that was not written by this adapter', () => {
    const { event } = chained();
    const meta = encodeMetadata(event);
    expect(() => decodeMetadata(undefined, 'e')).toThrow(EsdbDecodeError);
    expect(() => decodeMetadata(new Uint8Array([1, 2]), 'e')).toThrow(EsdbDecodeError);
    expect(() => decodeMetadata([], 'e')).toThrow(EsdbDecodeError);
    for (const key of Object.keys(meta)) {
      const { [key as keyof typeof meta]: _dropped, ...rest } = meta;
      expect(() => decodeMetadata(rest, 'e')).toThrow(new RegExp(key));
    }
    expect(() => decodeMetadata({ ...meta, schemaVersion: '1' }, 'e')).toThrow(/schemaVersion/);
  });

  it('decodes a record into the port event under the logical stream name, hash intact', () => {
    const { validated, event } = chained();
    const record: EsdbRecordLike = {
      streamId: 'prefix-officer-a/o-1',
      id: event.eventId,
      revision: 0n,
      type: event.type,
      isJson: true,
      data: JSON.parse(validated.dataJson),
      metadata: JSON.parse(JSON.stringify(encodeMetadata(event))),
      created: new Date('2026-03-01T12:00:00.004Z'),
      position: { commit: 5000n, prepare: 5000n },
    };
    const decoded = decodeRecord(record, 'officer-a/o-1');
    expect(decoded).toEqual({ ...event, position: 5000 });
    expect(decoded.prevHash).toBe(GENESIS_HASH);
    expect(hashEvent(decoded)).toBe(decoded.hash);
    expect(() => decodeRecord({ ...record, isJson: false }, 'x')).toThrow(EsdbDecodeError);
    expect(() => decodeRecord({ ...record, position: undefined }, 'x')).toThrow(/22\.6/);
  });

  it('accepts only lowercase UUID event ids (what EventStoreDB gives back)', () => {
    expect(() => assertEsdbEventId(randomUUID(), 'e')).not.toThrow();
    expect(() => assertEsdbEventId(randomUUID().toUpperCase(), 'e')).toThrow(TypeError);
    expect(() => assertEsdbEventId('evt-1', 'e')).toThrow(TypeError);
  });

  it('measures the drift between recordedAt and EventStoreDB created', () => {
    expect(createdDriftMs('2026-03-01T12:00:00.000Z', new Date('2026-03-01T12:00:01.500Z'))).toBe(1500);
    expect(createdDriftMs('2026-03-01T12:00:01.500Z', new Date('2026-03-01T12:00:00.000Z'))).toBe(1500);
  });
});

describe('EventStoreDB mapping: system records, links, stream index, URL', () => {
  it('tells EventStoreDB’s own records from the ledger’s', () => {
    expect(isSystemRecord('$streams', '$>')).toBe(true);
    expect(isSystemRecord('$stats-127.0.0.1:2113', '$statsCollected')).toBe(true);
    expect(isSystemRecord('officer-a/o-1', '$>')).toBe(true);
    expect(isSystemRecord('officer-a/o-1', 'OfficerRegistered')).toBe(false);
  });

  it('reads a link’s target stream (the number never has @, the stream may)', () => {
    expect(streamOfLink(Buffer.from('0@officer-a/o-1'))).toBe('officer-a/o-1');
    expect(streamOfLink(new Uint8Array(Buffer.from('12@a@b')))).toBe('a@b');
    expect(streamOfLink('0@x\u{10ffff}')).toBe('x\u{10ffff}');
    expect(streamOfLink('nonsense')).toBeUndefined();
    expect(streamOfLink('@x')).toBeUndefined();
    expect(streamOfLink(undefined)).toBeUndefined();
  });

  it('lists from the category stream when the prefix holds the category, else from $streams', () => {
    expect(streamIndexFor('officer-a/')).toEqual({ stream: '$category-officer', projection: '$stream_by_category' });
    expect(streamIndexFor('run1-officer-a/')).toEqual({ stream: '$category-run1', projection: '$stream_by_category' });
    expect(streamIndexFor('officer')).toEqual({ stream: '$streams', projection: '$streams' });
    expect(streamIndexFor('')).toEqual({ stream: '$streams', projection: '$streams' });
  });

  it('parses store URLs: esdb, esdb+discover, kurrentdb; takes out streamPrefix', () => {
    expect(parseEsdbUrl('esdb://eventstore:2113?tls=false')).toEqual({ connectionString: 'esdb://eventstore:2113?tls=false', streamPrefix: '' });
    expect(parseEsdbUrl('esdb+discover://cluster.example:2113')).toEqual({ connectionString: 'esdb+discover://cluster.example:2113', streamPrefix: '' });
    expect(parseEsdbUrl('kurrentdb://admin:changeit@h:2113?tls=false')).toEqual({ connectionString: 'esdb://admin:changeit@h:2113?tls=false', streamPrefix: '' });
    expect(parseEsdbUrl('kurrentdb+discover://h')).toEqual({ connectionString: 'esdb+discover://h', streamPrefix: '' });
    expect(parseEsdbUrl('esdb://h:2113?tls=false&streamPrefix=sro-&nodePreference=leader')).toEqual({
      connectionString: 'esdb://h:2113?tls=false&nodePreference=leader',
      streamPrefix: 'sro-',
    });
    expect(parseEsdbUrl('esdb://h:2113?stream_prefix=a%2Fb-')).toEqual({ connectionString: 'esdb://h:2113', streamPrefix: 'a/b-' });
    expect(() => parseEsdbUrl('postgres://h/db')).toThrow(/not an EventStoreDB URL/);
  });
});

describe('openEventStore routes EventStoreDB URLs to the adapter', () => {
  // Nothing listens on port 1: the adapter is chosen, tries to connect, and says so.
  it.each(['esdb://127.0.0.1:1?tls=false&defaultDeadline=2000', 'kurrentdb://127.0.0.1:1?tls=false&defaultDeadline=2000'])(
    '%s',
    async (url) => {
      await expect(openEventStore(url)).rejects.toThrow(/could not open the EventStoreDB store at esdb:\/\/127\.0\.0\.1:1/);
    },
    20_000,
  );
});
