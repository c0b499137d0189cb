import * as fc from 'fast-check';
import { addMonths as dfAddMonths, addYears as dfAddYears } from 'date-fns';
import { addDays, addMonths, addYears, daysBetween, isLocalDate, localDateAt, schoolYearEnd, schoolYearLabel, schoolYearStart } from '../../projections/dates';

describe('LocalDate arithmetic', () => {
  test.each([
    ['2025-08-31', 6, '2026-02-28'],
    ['2027-08-31', 6, '2028-02-29'],
    ['2025-10-15', 6, '2026-04-15'],
    ['2025-09-01', 6, '2026-03-01'],
    ['2025-12-31', 2, '2026-02-28'],
    ['2026-03-31', -1, '2026-02-28'],
  ])('%s + %i months = %s', (d, n, want) => expect(addMonths(d, n)).toBe(want));

  test.each([
    ['2028-02-29', 3, '2031-02-28'],
    ['2028-02-29', 4, '2032-02-29'],
    ['2025-09-01', 3, '2028-09-01'],
  ])('%s + %i years = %s', (d, n, want) => expect(addYears(d, n)).toBe(want));

  it('adds days across month, year and DST boundaries', () => {
    expect(addDays('2026-03-07', 1)).toBe('2026-03-08');
    expect(addDays('2026-03-08', 1)).toBe('2026-03-09'); // US DST starts
    expect(addDays('2026-11-01', 1)).toBe('2026-11-02'); // US DST ends
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(daysBetween('2026-03-01', '2026-04-01')).toBe(31);
    expect(daysBetween('2026-04-01', '2026-03-01')).toBe(-31);
  });

  test.each([
    ['2026-02-29', false],
    ['2028-02-29', true],
    ['2026-13-01', false],
    ['2026-04-31', false],
    ['2026-4-01', false],
    ['2026-04-01T00:00', false],
    ['1900-02-29', false],
    ['2000-02-29', true],
  ])('isLocalDate(%s) = %s', (d, want) => expect(isLocalDate(d)).toBe(want));

  test.each([
    ['2026-06-30', '2025-07-01', '2026-06-30', '2025-26'],
    ['2026-07-01', '2026-07-01', '2027-06-30', '2026-27'],
    ['2025-09-01', '2025-07-01', '2026-06-30', '2025-26'],
  ])('school year of %s is %s – %s', (d, start, end, label) => {
    expect([schoolYearStart(d), schoolYearEnd(d), schoolYearLabel(d)]).toEqual([start, end, label]);
  });

  it('computes "today in Minnesota" from an instant', () => {
    expect(localDateAt('2026-03-02T05:59:59.999Z')).toBe('2026-03-01'); // CST, UTC-6
    expect(localDateAt('2026-03-02T06:00:00.000Z')).toBe('2026-03-02');
    expect(localDateAt('2026-07-02T04:59:59.999Z')).toBe('2026-07-01'); // CDT, UTC-5
    expect(localDateAt('2026-07-02T05:00:00.000Z')).toBe('2026-07-02');
  });

  it('agrees with date-fns addMonths/addYears on plain local dates (property)', () => {
    const day = fc.integer({ min: 0, max: 365 * 40 }).map((n) => addDays('2000-01-01', n));
    fc.assert(
      fc.property(day, fc.integer({ min: -60, max: 60 }), fc.integer({ min: -5, max: 5 }), (d, months, years) => {
        const [y, m, dd] = d.split('-').map(Number);
        const local = new Date(y, m - 1, dd);
        const fmt = (x: Date) => `${x.getFullYear()}-${String(x.getMonth() + 1).padStart(2, '0')}-${String(x.getDate()).padStart(2, '0')}`;
        expect(addMonths(d, months)).toBe(fmt(dfAddMonths(local, months)));
        expect(addYears(d, years)).toBe(fmt(dfAddYears(local, years)));
      }),
      { numRuns: 500 },
    );
  });
});
