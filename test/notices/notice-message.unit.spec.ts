/**
 * The digest's words (src/notices/notice-message.ts) and when it is due in Minnesota
 * (src/notices/digest-schedule.ts): escaped HTML, both parts, the subject's counts, the status in
 * words; SRO_DIGEST_TIME read on the Minnesota wall clock, across daylight saving.
 */
import { digestDue } from '../../src/notices/digest-schedule';
import { daysLeftWords, renderDigest, type MessageItem } from '../../src/notices/notice-message';
import type { DigestLine } from '../../projections';

const item = (officerName: string, daysLeft: number, dueDate: string): MessageItem => ({
  officerId: 'o-1',
  officerName,
  rule: 'REFRESHER_3_YEARS',
  dueDate,
  daysLeft,
  action: 'complete the SRO refresher course',
  citation: 'policy "Training"',
});

describe('the digest message', () => {
  const lines: DigestLine<MessageItem>[] = [
    { item: item('<script>alert(1)</script> & Co', -3, '2026-12-04'), news: 'OVERDUE' },
    { item: item('Åsa Ödegård', 30, '2027-01-06'), news: null },
  ];
  const message = renderDigest({ agency: { agencyId: 'pd', name: 'Lakeville <PD>' }, recipient: { name: 'Casey' }, today: '2026-12-07', lines, publicUrl: 'https://sro.example.gov', noticeId: 'n-1' });

  it('names the agency and the counts in the subject', () => {
    expect(message.subject).toBe('SRO compliance reminders for Lakeville <PD>: 1 overdue, 1 due within 60 days');
  });

  it('escapes every value in the HTML part, and has no image', () => {
    expect(message.html).not.toContain('<script>');
    expect(message.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
    expect(message.html).toContain('Lakeville &lt;PD&gt;');
    expect(message.html).not.toMatch(/<img/i);
  });

  it('says the status in words in both parts, with the links', () => {
    for (const part of [message.text, message.html]) {
      expect(part).toContain('Overdue by 3 days');
      expect(part).toContain('30 days left');
      expect(part).toContain('Now overdue');
      expect(part).toContain('https://sro.example.gov/officers/o-1');
      expect(part).toContain('https://sro.example.gov/notices/n-1');
      // Where to turn it off: the account page's address, not only its name.
      expect(part).toMatch(/Turn it off on your account page in the console:\s(<a href="https:\/\/sro\.example\.gov\/account">)?https:\/\/sro\.example\.gov\/account/);
      expect(part).toContain('Åsa Ödegård');
    }
  });

  it.each([
    [-1, 'Overdue by 1 day'],
    [0, 'Due today'],
    [1, '1 day left'],
    [14, '14 days left'],
  ])('%i days left reads "%s"', (days, words) => expect(daysLeftWords(days)).toBe(words));
});

describe('when the digest is due, in Minnesota time', () => {
  it.each([
    ['2026-12-07T11:59:00Z', '06:00', false, '2026-12-07'], // 05:59 CST
    ['2026-12-07T12:00:00Z', '06:00', true, '2026-12-07'], // 06:00 CST
    ['2026-07-01T10:59:00Z', '06:00', false, '2026-07-01'], // 05:59 CDT
    ['2026-07-01T11:00:00Z', '06:00', true, '2026-07-01'], // 06:00 CDT
    ['2026-12-08T05:30:00Z', '06:00', true, '2026-12-07'], // 23:30 CST, still the 7th in Minnesota
    ['2026-03-08T11:15:00Z', '06:30', false, '2026-03-08'], // the day clocks go forward: 06:15 CDT
    ['2026-03-08T11:45:00Z', '06:30', true, '2026-03-08'], // 06:45 CDT (it would be 05:45 CST)
  ])('%s with SRO_DIGEST_TIME %s', (instant, time, due, day) => {
    expect(digestDue(new Date(instant), time)).toEqual({ due, day });
  });
});
