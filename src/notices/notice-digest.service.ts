/**
 * The daily reminder digest (docs/reference.md "Reminders by e-mail"; docs/decisions.md W47-W50):
 * for each chief and admin of an agency who receives notices (recipients.ts), today's reminder
 * items (the reminders query, overdue or due within 60 days, about officers; separated officers
 * are already off it), what the person was told before (their ReminderNoticeSent events), the pure
 * decision (projections/notice-digest.ts), then one message by SMTP and its proof in the agency's
 * stream.
 *
 * Exactly once per person and Minnesota day, with two servers or a restart (W49):
 * 1. the notice's id is derived from agency, person and day; an outcome already recorded for it
 *    (ReminderNoticeSent or ReminderNoticeFailed, one event id per notice) ends the attempt;
 * 2. the notice is claimed in the processors' store (ProcessorStore.claim) before the message is
 *    handed to SMTP: a second attempt finds the claim and sends nothing. A claim older than
 *    STALE_CLAIM_MS (send-once.ts) with no outcome is a send interrupted between SMTP and the append (a crash):
 *    it is recorded as ReminderNoticeFailed saying the message may have arrived, never sent again;
 * 3. after SMTP answered, the outcome is appended with its fixed event id: a duplicate is refused.
 */
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { NoticeItem, NoticeRecipient } from '../../events/catalogue';
import { agencyStream } from '../../events/streams';
import { decideDigest, DIGEST_HORIZON_DAYS, localDateAt, MINNESOTA_TIME_ZONE, type DigestLine } from '../../projections';
import { AccessLog } from '../access-log/access-log';
import { GetRemindersQuery, type RemindersView } from '../agencies/reminders';
import type { Account } from '../auth/access-registry';
import { AccessRegistry } from '../auth/access-registry';
import { PROCESSOR_STORE } from '../processors/processor-providers';
import type { ProcessorStore } from '../processors/processor-store.port';
import { EVENT_STORE, type EventStore } from '../store/event-store.port';
import { newEvent } from '../write/new-events';
import { WRITE_CLOCK, type WriteClock } from '../write/write-batch';
import { noticesOf, pastNoticesTo } from './agency-notices';
import { Mailer } from './mailer';
import { NOTICE_OPTIONS, type NoticeOptions } from './notice-options';
import { messageIdFor, noticeIdFor, outcomeEventId } from './notice-ids';
import { renderDigest, type MessageItem } from './notice-message';
import { recipientsOf } from './recipients';
import { claimSend, recordOutcomeOnce } from './send-once';

/** The processors' name of the digest: its claims in the processors' store. */
export const DIGEST_PROCESSOR = 'reminder-digest';
/** Who the digest's events are recorded by. */
export const DIGEST_RECORDER = 'reminder-digest';

export type RecipientOutcome =
  | { email: string; outcome: 'SENT'; noticeId: string; messageId: string; items: number }
  | { email: string; outcome: 'FAILED'; noticeId: string; error: string; attempts: number }
  | { email: string; outcome: 'SKIPPED'; reason: string };

export interface DigestReport {
  agencyId: string;
  /** The Minnesota date of the digest. */
  day: string;
  smtpConfigured: boolean;
  recipients: RecipientOutcome[];
}

/** The principal the digest reads the reminders as, in the access log (when no command or request names one). */
const DIGEST_READER = { principal: { kind: 'cli' as const, id: DIGEST_RECORDER, name: 'The daily reminder digest', role: 'processor' }, route: 'processor reminder-digest', format: 'email', requestId: null };

@Injectable()
export class NoticeDigest {
  private readonly logger = new Logger('NoticeDigest');
  private mailer?: Mailer;
  private readonly claimant = randomUUID();
  /** The last outcome of a send that failed, for readiness and the people page (this process's). */
  lastFailure?: { agencyId: string; email: string; at: string; error: string };

  constructor(
    @Inject(NOTICE_OPTIONS) readonly options: NoticeOptions,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROCESSOR_STORE) private readonly processorStore: ProcessorStore,
    private readonly registry: AccessRegistry,
    private readonly queries: QueryBus,
    @Optional() private readonly accessLog?: AccessLog,
    @Optional() @Inject(WRITE_CLOCK) private readonly writeClock?: WriteClock,
  ) {}

  get smtpConfigured(): boolean {
    return this.options.smtpUrl !== undefined;
  }

  /** The digest's clock: its own option, else the writers' (WRITE_CLOCK, which tests give), else the system's. */
  now(): Date {
    return this.options.now?.() ?? this.writeClock?.() ?? new Date();
  }

  /** Today's digest of every registered agency. */
  async runAll(now = this.now()): Promise<DigestReport[]> {
    const reports: DigestReport[] = [];
    for (const head of await this.store.listStreams('agency-')) {
      const agencyId = head.stream.slice('agency-'.length);
      try {
        reports.push(await this.runAgency(agencyId, now));
      } catch (error) {
        this.logger.error(`the digest of agency ${agencyId} failed: ${(error as Error).message}`);
      }
    }
    return reports;
  }

  /**
   * Today's digest of one agency (the schedule, and `notify --agency`). The reads are recorded in
   * the access log as the digest's, or with `asCaller` as the caller's (the CLI's context).
   */
  async runAgency(agencyId: string, now = this.now(), options: { asCaller?: boolean } = {}): Promise<DigestReport> {
    const day = localDateAt(now, MINNESOTA_TIME_ZONE);
    const report: DigestReport = { agencyId, day, smtpConfigured: this.smtpConfigured, recipients: [] };
    const events = await this.store.readStream(agencyStream(agencyId));
    const registered = events.find((e) => e.type === 'AgencyRegistered');
    if (!registered) return report;
    const agency = { agencyId, name: String((registered.data as { name: string }).name) };
    const notices = noticesOf(events);
    const recipients: Account[] = [];
    for (const account of recipientsOf(await this.registry.accountsOf(agencyId))) {
      if (notices.has(noticeIdFor(agencyId, account.userId, day))) report.recipients.push({ email: account.email, outcome: 'SKIPPED', reason: 'already told today' });
      else recipients.push(account);
    }
    // Everyone told today already: the reminders are not even read.
    if (recipients.length === 0) return report;
    // Today's items as the records stand now (asOf today in Minnesota, knownAt this instant).
    const read = () => this.queries.execute<GetRemindersQuery, RemindersView>(new GetRemindersQuery(agencyId, { asOf: day, knownAt: new Date().toISOString() }, DIGEST_HORIZON_DAYS));
    const view = !options.asCaller && this.accessLog ? await this.accessLog.runAs(DIGEST_READER, read) : await read();
    const items: MessageItem[] = view.items.filter((r) => r.officerId !== null).map((r) => messageItemOf(r));
    for (const account of recipients) report.recipients.push(await this.tell(agency, account, day, items, notices, now));
    return report;
  }

  private async tell(agency: { agencyId: string; name: string }, account: Account, day: string, items: MessageItem[], notices: ReturnType<typeof noticesOf>, now: Date): Promise<RecipientOutcome> {
    const email = account.email;
    const noticeId = noticeIdFor(agency.agencyId, account.userId, day);
    if (notices.has(noticeId)) return { email, outcome: 'SKIPPED', reason: 'already told today' };
    const decision = decideDigest(items, pastNoticesTo(notices, email), day);
    if (!decision.send) return { email, outcome: 'SKIPPED', reason: 'nothing new to tell' };
    if (!this.smtpConfigured) return { email, outcome: 'SKIPPED', reason: 'SRO_SMTP_URL is not configured: nothing is sent' };
    const recipient: NoticeRecipient = { email, name: account.name, role: account.role };
    // The intent, before anything leaves: a second attempt (another server, a restart) finds it.
    const claim = await claimSend(this.processorStore, DIGEST_PROCESSOR, noticeId, this.claimant);
    if (claim.state === 'busy') return { email, outcome: 'SKIPPED', reason: 'being sent by another attempt' };
    if (claim.state === 'interrupted') {
      const error = `The send of this notice was interrupted (the server stopped after it was handed to the mail server at ${new Date(claim.at).toISOString()} and before its outcome was recorded): it may have been delivered. It is not sent again, so that no one is told twice on one day.`;
      await this.record(agency.agencyId, noticeId, { type: 'ReminderNoticeFailed', data: { noticeId, recipient, error, attempts: 1 } });
      return { email, outcome: 'FAILED', noticeId, error, attempts: 1 };
    }
    const message = renderDigest({ agency, recipient: account, today: day, lines: decision.lines as DigestLine<MessageItem>[], publicUrl: this.options.publicUrl, noticeId });
    const sent = await this.mailerOf().send({
      to: { name: account.name, address: email },
      from: this.options.mailFrom,
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId: messageIdFor(noticeId, this.options.publicUrl),
    });
    if (sent.sent) {
      const noticeItems: NoticeItem[] = decision.lines.map(({ item }) => ({ officerId: item.officerId, rule: item.rule, dueDate: item.dueDate, daysLeft: item.daysLeft }));
      await this.record(agency.agencyId, noticeId, { type: 'ReminderNoticeSent', data: { noticeId, channel: 'email', recipient, messageId: sent.messageId, items: noticeItems } });
      return { email, outcome: 'SENT', noticeId, messageId: sent.messageId, items: noticeItems.length };
    }
    this.lastFailure = { agencyId: agency.agencyId, email, at: now.toISOString(), error: sent.error };
    this.logger.warn(`the digest to ${email} of agency ${agency.agencyId} could not be sent after ${sent.attempts} attempts: ${sent.error}`);
    await this.record(agency.agencyId, noticeId, { type: 'ReminderNoticeFailed', data: { noticeId, recipient, error: sent.error, attempts: sent.attempts } });
    return { email, outcome: 'FAILED', noticeId, error: sent.error, attempts: sent.attempts };
  }

  /** The outcome of a notice, once: its event id is fixed, so a second one is refused and ignored. */
  private async record(agencyId: string, noticeId: string, event: Parameters<typeof newEvent>[0]): Promise<void> {
    await recordOutcomeOnce(this.store, agencyStream(agencyId), newEvent(event, { recordedBy: DIGEST_RECORDER, correlationId: noticeId }, outcomeEventId(noticeId)));
  }

  private mailerOf(): Mailer {
    this.mailer ??= new Mailer(this.options.smtpUrl!, this.options.retryDelaysMs, this.options.smtpTimeoutMs);
    return this.mailer;
  }

  close(): void {
    this.mailer?.close();
  }
}

/**
 * A reminder as a line of the message: the officer's name (the reminder's subject, "Name (id)"),
 * and the action, the words of its message between the subject and the due date.
 */
export function messageItemOf(r: RemindersView['items'][number]): MessageItem {
  const officerId = r.officerId!;
  const suffix = ` (${officerId})`;
  const officerName = r.subject.endsWith(suffix) ? r.subject.slice(0, -suffix.length) : r.subject;
  let action = r.message.startsWith(`${r.subject}: `) ? r.message.slice(r.subject.length + 2) : r.message;
  action = action.replace(/\.\s+(Was due|Due) [^]*$/, '');
  return { officerId, officerName, rule: r.rule, dueDate: r.dueDate, daysLeft: r.daysLeft, action, citation: r.citation };
}
