/**
 * The calendar feed at /calendar/<secret>.ics (docs/reference.md "Calendar feed"): no session, no
 * cookie: the secret in the address is the credential (a calendar application cannot sign in). An
 * unknown, replaced or disabled person's secret is a 404. Each fetch reads the agency's reminders
 * as the feed's owner, so it is an officer-data read in the access log (route
 * `GET /calendar/:secret.ics`, format ics).
 */
import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { agencyStream } from '../../../events/streams';
import { AccessLog } from '../../access-log/access-log';
import { GetRemindersQuery, type RemindersView } from '../../agencies/reminders';
import { NOTICE_OPTIONS, NoticeAccounts, type NoticeOptions } from '../../notices';
import { calendarFeed, FEED_HORIZON_DAYS } from '../../notices/calendar-feed';
import { resolveTimeAxes } from '../../read/time-axes';
import { EVENT_STORE, type EventStore } from '../../store/event-store.port';

export const FEED_ROUTE = 'GET /calendar/:secret.ics';

@Controller('calendar')
export class CalendarFeedController {
  constructor(
    private readonly accounts: NoticeAccounts,
    private readonly queries: QueryBus,
    private readonly accessLog: AccessLog,
    @Inject(NOTICE_OPTIONS) private readonly options: NoticeOptions,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get(':secret.ics')
  async feed(@Param('secret') raw: string, @Res() response: Response): Promise<void> {
    const secret = /^[A-Za-z0-9_-]{20,100}$/.test(raw) ? raw : undefined;
    const account = secret ? await this.accounts.accountOfFeed(secret) : undefined;
    if (!account) return void response.status(404).type('text/plain').send('No calendar feed at this address: it was replaced, or it never existed.\n');
    const view: RemindersView = await this.accessLog.runAs(
      { principal: { kind: 'person', id: account.userId, name: account.name, role: account.role }, route: FEED_ROUTE, format: 'ics', requestId: null },
      () => this.queries.execute(new GetRemindersQuery(account.agencyId, resolveTimeAxes({}), FEED_HORIZON_DAYS)),
    );
    const registered = (await this.store.readStream(agencyStream(account.agencyId)))[0];
    const name = String((registered?.data as { name?: string } | undefined)?.name ?? account.agencyId);
    response
      .status(200)
      .type('text/calendar; charset=utf-8')
      .setHeader('Content-Disposition', `inline; filename="${account.agencyId}-reminders.ics"`);
    response.send(calendarFeed({ agencyId: account.agencyId, name }, view, this.options.publicUrl));
  }
}
