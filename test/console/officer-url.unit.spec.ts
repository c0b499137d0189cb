/** The one builder of an officer's page address (src/console/console-axes.ts, docs/decisions.md W45). */
import { officerUrl } from '../../src/console/console-axes';

describe('officerUrl', () => {
  it('encodes the id, and adds the axes and an anchor only when given', () => {
    expect(officerUrl('SRO-1')).toBe('/officers/SRO-1');
    expect(officerUrl('a/b c?')).toBe('/officers/a%2Fb%20c%3F');
    expect(officerUrl('SRO-1', { asOf: '2026-09-01' })).toBe('/officers/SRO-1?asOf=2026-09-01');
    expect(officerUrl('SRO-1', { asOf: '2026-09-01', knownAt: '2026-10-01 09:00' })).toBe('/officers/SRO-1?asOf=2026-09-01&knownAt=2026-10-01+09%3A00');
    expect(officerUrl('SRO-1', { anchor: 'event-e1' })).toBe('/officers/SRO-1#event-e1');
    expect(officerUrl('SRO-1', { asOf: '', knownAt: undefined, anchor: undefined })).toBe('/officers/SRO-1');
  });
});
