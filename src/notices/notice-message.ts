/**
 * One digest message in words (docs/reference.md "Reminders by e-mail"): a plain-text part and an
 * HTML part saying the same (escaped, no images, no colour needed: every status is in words), and
 * a subject naming the agency and the counts of overdue and due items. Pure: no Nest, no I/O.
 */
import type { DigestLine, NewsReason } from '../../projections';

/** A line of the digest with what the words need: the officer's name, the action, the citation. */
export interface MessageItem {
  officerId: string;
  officerName: string;
  rule: string;
  dueDate: string;
  daysLeft: number;
  /** What to do ("complete the SRO refresher course"). */
  action: string;
  citation: string;
}

export interface DigestMessageInput {
  agency: { agencyId: string; name: string };
  recipient: { name: string };
  /** The Minnesota date the digest is for. */
  today: string;
  lines: DigestLine<MessageItem>[];
  publicUrl: string;
  noticeId: string;
}

export interface DigestMessage {
  subject: string;
  text: string;
  html: string;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** 2026-12-07 → "7 December 2026". */
export const dateWords = (date: string): string => {
  const [y, m, d] = date.split('-').map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "Overdue by 3 days", "Due today", "12 days left". */
export function daysLeftWords(daysLeft: number): string {
  if (daysLeft < 0) return `Overdue by ${plural(-daysLeft, 'day')}`;
  if (daysLeft === 0) return 'Due today';
  return `${plural(daysLeft, 'day')} left`;
}

const NEWS_WORDS: Record<NewsReason, string> = {
  FIRST: 'New',
  THRESHOLD: 'Closer',
  OVERDUE: 'Now overdue',
  WEEKLY_OVERDUE: 'Still overdue',
};

export const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export const recordLink = (publicUrl: string, officerId: string): string => `${publicUrl}/officers/${encodeURIComponent(officerId)}`;
export const noticeLink = (publicUrl: string, noticeId: string): string => `${publicUrl}/notices/${encodeURIComponent(noticeId)}`;
export const accountLink = (publicUrl: string): string => `${publicUrl}/account`;

export function digestSubject(agencyName: string, lines: DigestLine<MessageItem>[]): string {
  const overdue = lines.filter((l) => l.item.daysLeft < 0).length;
  const due = lines.length - overdue;
  return `SRO compliance reminders for ${agencyName}: ${overdue} overdue, ${due} due within 60 days`;
}

export function renderDigest(input: DigestMessageInput): DigestMessage {
  const { agency, recipient, today, lines, publicUrl, noticeId } = input;
  const subject = digestSubject(agency.name, lines);
  const overdue = lines.filter((l) => l.item.daysLeft < 0);
  const due = lines.filter((l) => l.item.daysLeft >= 0);
  const ack = noticeLink(publicUrl, noticeId);
  const intro = `Hello ${recipient.name}, this is the daily reminder digest of ${agency.name} (${agency.agencyId}) for ${dateWords(today)}, Minnesota time. It lists what is overdue and what falls due within 60 days, as the records stood when it was sent.`;
  const ackWords = 'Please open this link and press Acknowledge to record that you have read this notice:';
  const why = 'You receive this digest as a chief or admin of the agency. Turn it off on your account page in the console:';
  const account = accountLink(publicUrl);

  const textItem = (l: DigestLine<MessageItem>) =>
    [
      `- ${l.news ? `[${NEWS_WORDS[l.news]}] ` : ''}${l.item.officerName}: ${l.item.action}`,
      `  Due ${dateWords(l.item.dueDate)} (${l.item.dueDate}): ${daysLeftWords(l.item.daysLeft)}`,
      `  Rule: ${l.item.rule}, ${l.item.citation}`,
      `  Record: ${recordLink(publicUrl, l.item.officerId)}`,
    ].join('\n');
  const textSection = (title: string, part: DigestLine<MessageItem>[]) => (part.length ? [`${title} (${part.length})`, '', ...part.map(textItem), ''] : []);
  const text = [
    intro,
    '',
    ...textSection('OVERDUE', overdue),
    ...textSection('DUE WITHIN 60 DAYS', due),
    ackWords,
    ack,
    '',
    why,
    account,
    '',
  ].join('\n');

  const htmlItem = (l: DigestLine<MessageItem>) =>
    `<li><p><strong>${l.news ? `${escapeHtml(NEWS_WORDS[l.news])}: ` : ''}${escapeHtml(l.item.officerName)}</strong>: ${escapeHtml(l.item.action)}<br>` +
    `Due ${escapeHtml(dateWords(l.item.dueDate))}: <strong>${escapeHtml(daysLeftWords(l.item.daysLeft))}</strong><br>` +
    `Rule ${escapeHtml(l.item.rule)}, ${escapeHtml(l.item.citation)}<br>` +
    `<a href="${escapeHtml(recordLink(publicUrl, l.item.officerId))}">Open the record of ${escapeHtml(l.item.officerName)}</a></p></li>`;
  const htmlSection = (title: string, part: DigestLine<MessageItem>[]) => (part.length ? `<h2>${escapeHtml(title)} (${part.length})</h2><ul>${part.map(htmlItem).join('')}</ul>` : '');
  const html = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>',
    escapeHtml(subject),
    '</title></head><body style="font-family: sans-serif; font-size: 16px; line-height: 1.5">',
    `<p>${escapeHtml(intro)}</p>`,
    htmlSection('Overdue', overdue),
    htmlSection('Due within 60 days', due),
    `<p>${escapeHtml(ackWords)} <a href="${escapeHtml(ack)}">${escapeHtml(ack)}</a></p>`,
    `<p>${escapeHtml(why)} <a href="${escapeHtml(account)}">${escapeHtml(account)}</a></p>`,
    '</body></html>',
  ].join('');
  return { subject, text, html };
}
