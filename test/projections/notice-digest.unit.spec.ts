/**
 * The digest's decision (projections/notice-digest.ts, docs/decisions.md W48), table-driven with
 * real dates: 2026-12-07 is a Monday, 2026-12-08 a Tuesday.
 */
import { addDays, daysBetween } from '../../projections/dates';
import { decideDigest, isMonday, type DigestItem, type PastNotice } from '../../projections/notice-digest';

const DUE = '2027-01-06';
/** The refresher of o-1 due DUE, seen on `day`. */
const item = (day: string, dueDate = DUE, officerId = 'o-1', rule = 'REFRESHER_3_YEARS'): DigestItem => ({ officerId, rule, dueDate, daysLeft: daysBetween(day, dueDate) });
/** A notice sent on `day` that held the item as it stood that day. */
const told = (day: string, dueDate = DUE): PastNotice => ({ day, items: [item(day, dueDate)] });
/** The day when `daysLeft` days are left until DUE. */
const left = (daysLeft: number): string => addDays(DUE, -daysLeft);

describe('the digest decision', () => {
  it('knows its Mondays', () => {
    expect(isMonday('2026-12-07')).toBe(true);
    expect(isMonday('2026-12-08')).toBe(false);
    expect(isMonday('2027-01-04')).toBe(true);
    expect(isMonday('1970-01-05')).toBe(true);
  });

  const cases: { name: string; today: string; past: PastNotice[]; send: boolean; news?: string | null }[] = [
    { name: 'a new item is told', today: left(45), past: [], send: true, news: 'FIRST' },
    { name: 'not re-told the next day', today: left(44), past: [told(left(45))], send: false, news: null },
    { name: 'not told twice on one day', today: left(45), past: [told(left(45))], send: false, news: null },
    { name: 'told again at 30 days left', today: left(30), past: [told(left(45))], send: true, news: 'THRESHOLD' },
    { name: 'not at 29 after 30', today: left(29), past: [told(left(45)), told(left(30))], send: false, news: null },
    { name: 'told again at 14', today: left(14), past: [told(left(30))], send: true, news: 'THRESHOLD' },
    { name: 'told again at 7', today: left(7), past: [told(left(14))], send: true, news: 'THRESHOLD' },
    { name: 'told again at 1', today: left(1), past: [told(left(7))], send: true, news: 'THRESHOLD' },
    { name: 'told again at 0 (due today)', today: left(0), past: [told(left(1))], send: true, news: 'THRESHOLD' },
    { name: 'told when it becomes overdue', today: left(-1), past: [told(left(0))], send: true, news: 'OVERDUE' },
    { name: 'a threshold crossed while no digest ran is told once', today: left(12), past: [told(left(40))], send: true, news: 'THRESHOLD' },
    { name: 'overdue, not a Monday: nothing', today: '2027-01-12', past: [told('2027-01-11')], send: false, news: null },
    { name: 'overdue on a Monday: told weekly', today: '2027-01-18', past: [told('2027-01-11')], send: true, news: 'WEEKLY_OVERDUE' },
    { name: 'beyond 60 days: not in the digest', today: left(61), past: [], send: false },
  ];
  it.each(cases)('$name', ({ today, past, send, news }) => {
    const decision = decideDigest([item(today)], past, today);
    expect(decision.send).toBe(send);
    if (news !== undefined) expect(decision.lines.map((l) => l.news)).toEqual([news]);
  });

  it('a message with news holds every item of today, the old ones unmarked', () => {
    const today = '2026-12-08';
    const old = item(today, '2027-01-20', 'o-2', 'TRAINING_BEFORE_DUTY');
    const fresh = item(today, '2026-12-20');
    const decision = decideDigest([fresh, old], [{ day: '2026-12-07', items: [item('2026-12-07', '2027-01-20', 'o-2', 'TRAINING_BEFORE_DUTY')] }], today);
    expect(decision.send).toBe(true);
    expect(decision.lines).toEqual([
      { item: fresh, news: 'FIRST' },
      { item: old, news: null },
    ]);
  });

  it('a new due date of the same rule is a new item', () => {
    const today = left(44);
    const decision = decideDigest([item(today, '2027-01-20')], [told(left(45))], today);
    expect(decision.lines[0].news).toBe('FIRST');
  });

  it('nothing to tell: no message', () => {
    expect(decideDigest([], [], '2026-12-07')).toEqual({ send: false, lines: [] });
  });
});
