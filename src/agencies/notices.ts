/**
 * Slice: the proof of notice of an agency (GET /api/agencies/:agencyId/notices?officerId=&from=&to=;
 * docs/reference.md "Reminders by e-mail"): every ReminderNoticeSent, ReminderNoticeFailed and
 * ReminderNoticeAcknowledged of the agency's stream, oldest first, as `{eventId, recordedAt, type:
 * SENT | FAILED | ACKNOWLEDGED, noticeId, recipient, messageId?, items}`; an acknowledgement
 * carries the recipient and items of the notice it acknowledges, and `by`. `officerId`: only the
 * notices whose items named the officer; `from`/`to`: recorded within (inclusive).
 */
import { Controller, Get, Param, Query } from '@nestjs/common';
import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { IsOptional } from 'class-validator';
import type { NoticeItem, NoticeRecipient } from '../../events/catalogue';
import { Roles } from '../auth/roles.decorator';
import { AgencyPath } from '../common/paths';
import { IsIdentifier, IsInstant } from '../common/validation';
import { LedgerReader } from '../read/ledger-reader';
import { Invalid } from '../write/refusals';

export class NoticesQueryDto {
  @IsOptional() @IsIdentifier() officerId?: string;
  @IsOptional() @IsInstant() from?: string;
  @IsOptional() @IsInstant() to?: string;
}

export interface NoticeEntry {
  eventId: string;
  recordedAt: string;
  type: 'SENT' | 'FAILED' | 'ACKNOWLEDGED';
  noticeId: string;
  recipient: NoticeRecipient;
  /** SENT: the message's Message-ID as the SMTP server accepted it. */
  messageId?: string;
  /** SENT (and ACKNOWLEDGED: the acknowledged notice's): the items told. FAILED: none. */
  items: NoticeItem[];
  /** FAILED: the last error, and how many attempts were made. */
  error?: string;
  attempts?: number;
  /** ACKNOWLEDGED: the e-mail of the account that pressed Acknowledge. */
  by?: string;
}

export interface NoticesView {
  agencyId: string;
  notices: NoticeEntry[];
}

export class GetNoticesQuery {
  constructor(
    readonly agencyId: string,
    readonly filter: { officerId?: string; from?: string; to?: string } = {},
  ) {}
}

@QueryHandler(GetNoticesQuery)
export class GetNoticesHandler implements IQueryHandler<GetNoticesQuery, NoticesView> {
  constructor(private readonly reader: LedgerReader) {}

  async execute({ agencyId, filter }: GetNoticesQuery): Promise<NoticesView> {
    const from = filter.from ? Date.parse(filter.from) : -Infinity;
    const to = filter.to ? Date.parse(filter.to) : Infinity;
    if (from > to) throw new Invalid(['from must not be after to']);
    const sent = new Map<string, { recipient: NoticeRecipient; items: NoticeItem[] }>();
    const notices: NoticeEntry[] = [];
    for (const e of await this.reader.agencyStream(agencyId)) {
      const d = e.data as Record<string, unknown>;
      let entry: NoticeEntry | undefined;
      if (e.type === 'ReminderNoticeSent') {
        const items = d.items as NoticeItem[];
        sent.set(String(d.noticeId), { recipient: d.recipient as NoticeRecipient, items });
        entry = { eventId: e.eventId, recordedAt: e.recordedAt, type: 'SENT', noticeId: String(d.noticeId), recipient: d.recipient as NoticeRecipient, messageId: String(d.messageId), items };
      } else if (e.type === 'ReminderNoticeFailed') {
        entry = { eventId: e.eventId, recordedAt: e.recordedAt, type: 'FAILED', noticeId: String(d.noticeId), recipient: d.recipient as NoticeRecipient, items: [], error: String(d.error), attempts: Number(d.attempts) };
      } else if (e.type === 'ReminderNoticeAcknowledged') {
        const notice = sent.get(String(d.noticeId));
        if (!notice) continue;
        entry = { eventId: e.eventId, recordedAt: e.recordedAt, type: 'ACKNOWLEDGED', noticeId: String(d.noticeId), recipient: notice.recipient, items: notice.items, by: String(d.by) };
      }
      if (!entry) continue;
      const at = Date.parse(entry.recordedAt);
      if (at < from || at > to) continue;
      if (filter.officerId && !entry.items.some((i) => i.officerId === filter.officerId)) continue;
      notices.push(entry);
    }
    return { agencyId, notices };
  }
}

@Controller('agencies/:agencyId/notices')
export class NoticesController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('admin', 'auditor', 'chief', 'investigator')
  list(@Param() path: AgencyPath, @Query() query: NoticesQueryDto): Promise<NoticesView> {
    return this.queries.execute(new GetNoticesQuery(path.agencyId, { officerId: query.officerId, from: query.from, to: query.to }));
  }
}
