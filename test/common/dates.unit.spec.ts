/**
 * Dates and instants as people type them (src/common/dates.ts, decisions W34): YYYY-MM-DD and the
 * US M/D/YYYY, and for instants an optional time, 24-hour or with AM/PM, read as Minnesota time.
 */
import { RecordContractDto } from '../../src/agencies/record-contract';
import { dateProblem, instantFromText, localDateFields, localDateFromText, readDateFields, withoutRepeats } from '../../src/common/dates';
import { AssignOfficerDto } from '../../src/officers/assign-officer';
import { RecordTrainingDto } from '../../src/officers/record-training';

describe('localDateFromText', () => {
  it.each([
    ['2025-08-12', '2025-08-12'],
    ['8/12/2025', '2025-08-12'],
    ['08/12/2025', '2025-08-12'],
    [' 12/7/2026 ', '2026-12-07'],
    ['2/29/2028', '2028-02-29'],
  ])('%p is %p', (text, date) => {
    expect(localDateFromText(text)).toBe(date);
  });

  it.each(['13/1/2025', '2/29/2025', '8/12/25', '8-12-2025', '12.8.2025', '2025/08/12', '8/12/1850', '', 'August 12, 2025', '0/12/2025', '8/0/2025'])('%p is not a date', (text) => {
    expect(localDateFromText(text)).toBeUndefined();
  });

  it('a problem names the field, the text and both forms; a two-digit year is named as such', () => {
    expect(dateProblem('completedOn', '13/1/2025')).toBe('completedOn must be a real calendar date ("13/1/2025" is not). Enter the date as YYYY-MM-DD or M/D/YYYY, e.g. 2025-08-12 or 8/12/2025');
    expect(dateProblem('startDate', '8/12/25')).toBe('startDate must be a real calendar date with a four-digit year ("8/12/25" has two). Enter the date as YYYY-MM-DD or M/D/YYYY, e.g. 2025-08-12 or 8/12/2025');
  });

  it('readDateFields rewrites the date fields in place and names those it cannot read; withoutRepeats drops the DTO’s own message of those', () => {
    const body: Record<string, unknown> = { completedOn: '8/20/2025', course: '8/20/2025', endDate: 'soon', startDate: '' };
    const problems = readDateFields(body, ['completedOn', 'endDate', 'startDate', 'absent']);
    expect(body).toEqual({ completedOn: '2025-08-20', course: '8/20/2025', endDate: 'soon', startDate: '' });
    expect(problems).toEqual(['endDate must be a real calendar date ("soon" is not). Enter the date as YYYY-MM-DD or M/D/YYYY, e.g. 2025-08-12 or 8/12/2025']);
    expect(withoutRepeats(problems, ['endDate must be a real calendar date in the form YYYY-MM-DD', 'school should not be empty'])).toEqual([...problems, 'school should not be empty']);
  });

  it('the date fields of a DTO are those checked by IsLocalDate', () => {
    expect(localDateFields(RecordTrainingDto)).toEqual(['completedOn']);
    expect(localDateFields(AssignOfficerDto)).toEqual(['startDate']);
    expect(localDateFields(RecordContractDto).sort()).toEqual(['effectiveFrom', 'effectiveTo']);
  });
});

describe('instantFromText (Minnesota time)', () => {
  it.each([
    ['12/07/2026 3:50 PM', '2026-12-07T21:50:00.000Z'],
    ['12/7/2026 3:50 pm', '2026-12-07T21:50:00.000Z'],
    ['12/7/2026 3:50PM', '2026-12-07T21:50:00.000Z'],
    ['12/7/2026, 3:50 p.m.', '2026-12-07T21:50:00.000Z'],
    ['12/7/2026 15:50', '2026-12-07T21:50:00.000Z'],
    ['12/7/2026 12:05 AM', '2026-12-07T06:05:00.000Z'],
    ['12/7/2026 12:05 PM', '2026-12-07T18:05:00.000Z'],
    ['7/1/2026 3:50 PM', '2026-07-01T20:50:00.000Z'],
    ['2026-12-07 15:50', '2026-12-07T21:50:00.000Z'],
    ['2026-12-07T15:50', '2026-12-07T21:50:00.000Z'],
    ['2026-12-07 3:50 PM', '2026-12-07T21:50:00.000Z'],
    ['2026-12-07 09:15:30', '2026-12-07T15:15:30.000Z'],
    ['12/7/2026', '2026-12-08T05:59:59.999Z'],
    ['2026-12-07', '2026-12-08T05:59:59.999Z'],
    ['2026-03-01T23:59:59.999-06:00', '2026-03-01T23:59:59.999-06:00'],
  ])('%p is %p', (text, instant) => {
    expect(instantFromText(text)).toBe(instant);
  });

  it('a date alone is its last millisecond, or its first where it starts a range', () => {
    expect(instantFromText('12/7/2026', { dateAlone: 'start' })).toBe('2026-12-07T06:00:00.000Z');
    expect(instantFromText('7/1/2026', { dateAlone: 'start' })).toBe('2026-07-01T05:00:00.000Z');
    expect(instantFromText('12/7/2026 3:50 PM', { dateAlone: 'start' })).toBe('2026-12-07T21:50:00.000Z');
  });

  it.each(['12/7/2026 13:50 PM', '12/7/2026 0:50 AM', '12/7/2026 3:60 PM', '12/7/26 3:50 PM', '13/7/2026 3:50 PM', 'yesterday', '12/7/2026 3 PM'])('%p is not an instant', (text) => {
    expect(instantFromText(text)).toBeUndefined();
  });
});
