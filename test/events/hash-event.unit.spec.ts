/** hashEvent's fast canonical form is byte for byte canonicalize() of the whole hashed content. */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { hashEvent, type HashedFields } from '../../events/integrity';

const reference = (f: HashedFields) =>
  createHash('sha256')
    .update(f.prevHash)
    .update('\n')
    .update(
      canonicalize({
        eventId: f.eventId,
        stream: f.stream,
        revision: f.revision,
        type: f.type,
        schemaVersion: f.schemaVersion,
        data: f.data,
        recordedAt: f.recordedAt,
        recordedBy: f.recordedBy,
        correlationId: f.correlationId,
      })!,
    )
    .digest('hex');

it('hashes exactly as canonicalize over the whole content', () => {
  fc.assert(
    fc.property(
      fc.record({
        eventId: fc.string(),
        stream: fc.string(),
        revision: fc.nat(),
        type: fc.string(),
        schemaVersion: fc.integer({ min: 1, max: 5 }),
        data: fc.jsonValue(),
        recordedAt: fc.string(),
        recordedBy: fc.string({ unit: 'binary' }),
        correlationId: fc.string(),
        prevHash: fc.stringMatching(/^[0-9a-f]{64}$/),
      }),
      (fields) => expect(hashEvent(fields as HashedFields)).toBe(reference(fields as HashedFields)),
    ),
    { numRuns: 500 },
  );
});
