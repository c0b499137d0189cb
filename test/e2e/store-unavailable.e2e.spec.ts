/**
 * A store that cannot be reached, or whose connection breaks under a write (docs/decisions.md
 * W40), on whatever store the harness runs: the append fails with the store port's
 * StoreUnavailableError (a hook in front of the real store, test/support/store-wrapper.ts), and
 * the route answers 503 with Retry-After and a plain message; nothing is recorded, and the same
 * write sent again is recorded once.
 */
import { officerStream } from '../../events/streams';
import { StoreUnavailableError } from '../../src/store/event-store.port';
import { openEventStore } from '../../src/store/backends';
import { interceptAppends, Interference } from '../support/store-wrapper';
import { Harness, startHarness, storeHeads } from './http-harness';

const A = 'gone-pd';
let h: Harness;
let admin: string;
const interference = new Interference();

beforeAll(async () => {
  h = await startHarness({ openStore: async (url) => interceptAppends(await openEventStore(url), interference) });
  admin = (await h.agency(A)).admin;
});
afterAll(() => h.close());

it('a write whose store connection broke: 503, Retry-After, nothing recorded; sent again with its Idempotency-Key, recorded once', async () => {
  const before = await storeHeads(h.store);
  interference.arm(officerStream(A, 'jdoe'), async () => {
    throw new StoreUnavailableError('cannot use PostgreSQL at 127.0.0.1:5432: terminating connection due to administrator command');
  });
  const send = () => h.http().post(`/api/agencies/${A}/officers`).set('Authorization', `Bearer ${admin}`).set('Idempotency-Key', 'register-jdoe').send({ officerId: 'jdoe', name: 'Jordan Doe' });
  const refused = await send();
  expect(interference.fired).toBe(true);
  expect({ status: refused.status, retryAfter: refused.headers['retry-after'], body: refused.body }).toEqual({
    status: 503,
    retryAfter: '2',
    body: {
      statusCode: 503,
      error: 'Service Unavailable',
      message: [
        'the store could not be reached or its connection broke; a write was recorded whole or not at all (nothing was half-written): try again in a few seconds, with the same Idempotency-Key to record it only once',
      ],
    },
  });
  expect(await storeHeads(h.store)).toBe(before);
  interference.disarm();
  const first = await send();
  expect(first.status).toBe(201);
  const again = await send();
  expect({ status: again.status, eventId: again.body.eventId }).toEqual({ status: 201, eventId: first.body.eventId });
  expect(await h.store.readStream(officerStream(A, 'jdoe'))).toHaveLength(1);
});
