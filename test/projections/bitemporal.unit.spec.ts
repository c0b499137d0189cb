/** knownAt and retractions (docs/reference.md#time): "what was true" vs "what the records said". */
import { officerHistory, officerStatus, statusIntervals } from '../../projections';
import { LATER, LedgerBuilder, withPolicy } from './ledger-builder';

function lateTraining() {
  const b = withPolicy();
  b.at('2025-08-20T15:00:00.000Z');
  b.assign('a1', '2025-09-02');
  // Completed on 2025-09-02 but recorded only on 2025-10-15.
  b.at('2025-10-15T15:00:00.000Z');
  const training = b.trained('t1', 'MN_SRO_BASIC', '2025-09-02');
  return { ledger: b.ledger(), training };
}

describe('a training recorded late', () => {
  const { ledger, training } = lateTraining();

  it('what the records said on 2025-09-15: NON_COMPLIANT', () => {
    const s = officerStatus(ledger, '2025-09-15', '2025-09-15T23:59:59.999-05:00');
    expect(s.status).toBe('NON_COMPLIANT');
    expect(s.findings[0]).toMatchObject({ rule: 'TRAINING_BEFORE_DUTY', outcome: 'VIOLATED', dueDate: '2025-09-02' });
  });

  it('what was true on 2025-09-15, as known later: COMPLIANT', () => {
    const s = officerStatus(ledger, '2025-09-15', '2025-10-16T00:00:00.000Z');
    expect(s.status).toBe('COMPLIANT');
    expect(s.findings[0]).toMatchObject({ outcome: 'MET', evidence: [training] });
  });

  it('the history as known before the recording shows the violation, after it shows none', () => {
    const before = statusIntervals(ledger, '2025-10-01T00:00:00.000Z', { from: '2025-09-02', to: '2025-12-31' });
    expect(before.map((i) => [i.from, i.to, i.status])).toEqual([['2025-09-02', '2025-12-31', 'NON_COMPLIANT']]);
    const after = statusIntervals(ledger, LATER, { from: '2025-09-02', to: '2025-12-31' });
    expect(after.map((i) => [i.from, i.to, i.status])).toEqual([['2025-09-02', '2025-12-31', 'COMPLIANT']]);
  });

  it('compares instants, not strings: an offset knownAt includes an event recorded at 05:00Z the next UTC day', () => {
    const b = withPolicy();
    b.at('2026-01-05T15:00:00.000Z');
    b.assign('a1', '2026-01-05');
    b.at('2026-03-02T05:00:00.000Z'); // 2026-03-01 23:00 in Minnesota
    b.trained('t1', 'MN_SRO_BASIC', '2026-03-01');
    const s = officerStatus(b.ledger(), '2026-03-01', '2026-03-01T23:59:59.999-06:00');
    expect(s.findings[0].outcome).toBe('MET');
    // ... and one millisecond less excludes it
    const s2 = officerStatus(b.ledger(), '2026-03-01', '2026-03-02T04:59:59.999Z');
    expect(s2.findings[0].outcome).toBe('VIOLATED');
  });
});

describe('a retraction', () => {
  function retracted() {
    const b = withPolicy();
    b.at('2025-08-20T15:00:00.000Z');
    b.assign('a1', '2025-09-02');
    const training = b.trained('t1', 'MN_SRO_BASIC', '2025-08-25');
    b.at('2025-11-10T15:00:00.000Z');
    const retraction = b.retract(training);
    return { ledger: b.ledger(), training, retraction };
  }
  const { ledger, training, retraction } = retracted();

  it('before the retraction is known, the training counts', () => {
    expect(officerStatus(ledger, '2025-10-01', '2025-11-10T14:59:59.999Z').findings[0].outcome).toBe('MET');
  });

  it('once the retraction is known, it does not (for every asOf)', () => {
    const s = officerStatus(ledger, '2025-10-01', '2025-11-10T15:00:00.000Z');
    expect(s.findings[0].outcome).toBe('VIOLATED');
    expect(s.status).toBe('NON_COMPLIANT');
  });

  it('history marks the event retracted only when the retraction is known', () => {
    const before = officerHistory(ledger, '2025-11-01T00:00:00.000Z');
    expect(before.events.find((e) => e.eventId === training)).toMatchObject({ retracted: false, effectiveDate: '2025-08-25' });
    expect(before.events.find((e) => e.eventId === training)!.retractedBy).toBeUndefined();
    expect(before.events.some((e) => e.eventId === retraction)).toBe(false);

    const after = officerHistory(ledger, LATER);
    expect(after.events.find((e) => e.eventId === training)).toMatchObject({
      retracted: true,
      retractedBy: retraction,
      retractedAt: '2025-11-10T15:00:00.000Z',
    });
    expect(after.events.find((e) => e.eventId === retraction)).toMatchObject({ type: 'EventRetracted', effectiveDate: null, retracted: false });
  });

  it('history lists every recorded event, both streams, in recorded order', () => {
    const h = officerHistory(ledger, LATER);
    expect(h.events.map((e) => e.type)).toEqual([
      'SroPolicyAdopted',
      'PolicyReviewed',
      'OfficerAssigned',
      'TrainingCompleted',
      'CertificateFiled',
      'EventRetracted',
    ]);
    expect(h.events[0].stream).toBe('agency');
    const times = h.events.map((e) => Date.parse(e.recordedAt));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(h.statusIntervals.length).toBeGreaterThan(0);
  });

  it('an agency retraction of a policy adoption removes the policy', () => {
    const b = new LedgerBuilder();
    const adopted = b.policy('v1', '2025-08-01');
    b.review('v1', '2025-08-15');
    b.trained('t1', 'MN_SRO_BASIC', '2025-08-01');
    b.assign('a1', '2025-09-02');
    expect(officerStatus(b.ledger(), '2025-09-10', LATER).status).toBe('COMPLIANT');
    b.retract(adopted, 'agency');
    const s = officerStatus(b.ledger(), '2025-09-10', LATER);
    expect(s.status).toBe('NON_COMPLIANT');
    expect(s.findings[5]).toMatchObject({ rule: 'POLICY_REVIEW_BEFORE_DUTY', outcome: 'VIOLATED' });
  });

  it('a retraction of a retraction has no effect', () => {
    const b = withPolicy();
    b.assign('a1', '2025-09-02');
    const t = b.trained('t1', 'MN_SRO_BASIC', '2025-08-25');
    const r = b.retract(t);
    b.retract(r);
    expect(officerStatus(b.ledger(), '2025-10-01', LATER).findings[0].outcome).toBe('VIOLATED');
  });

  it('rejects a date that is not a calendar date and an instant that is not an instant', () => {
    expect(() => officerStatus(ledger, '2026-02-30', LATER)).toThrow(RangeError);
    expect(() => officerStatus(ledger, '2026-02-01', 'yesterday')).toThrow(RangeError);
  });
});
