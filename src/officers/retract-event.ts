/** Slice: retract a mistaken event of an officer's record (EventRetracted). The event stays; it stops counting. */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { Command, CommandBus, IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { IsNotEmpty, IsString, IsUUID, MaxLength } from 'class-validator';
import type { EventType } from '../../events/catalogue';
import { officerHistory, officerStatus, type Finding, type OfficerStatus, type StatusInterval } from '../../projections';
import { LedgerReader } from '../read/ledger-reader';
import { Roles } from '../auth/roles.decorator';
import { OfficerPath } from '../common/paths';
import { IsPlainText } from '../common/plain-text';
import { WriteCtx } from '../common/write-context';
import { OfficerDecision } from '../write/decision';
import { WriteContext, WriteResult } from '../write/ledger-writer';
import { Conflict, Invalid, NotFound } from '../write/refusals';
import { writeHandler } from '../write/write-handler';
import type { OfficerWriteSlice } from '../write/write-slice';

/** The route under /api (POST). */
const ROUTE = 'agencies/:agencyId/officers/:officerId/retractions';

/** The body of both retractions: this one and the agency's (src/agencies/retract-agency-event.ts). */
export class RetractionDto {
  @IsUUID() eventId!: string;
  @IsString() @IsNotEmpty() @MaxLength(2000) @IsPlainText() reason!: string;
}

/** A stream's identity and a retraction cannot be retracted (decisions W2): record a corrected fact instead. */
const NOT_RETRACTABLE: readonly EventType[] = ['AgencyRegistered', 'OfficerRegistered', 'EventRetracted'];

/**
 * Why a retraction cannot be recorded, if it cannot (docs/decisions.md W2; shared with the
 * agency's): it names an event of the same stream that exists and is not already retracted.
 */
export function retractionRefusal(
  stream: { live: Map<string, { type: EventType }>; retracted: Set<string> },
  eventId: string,
  whose: string,
): Conflict | Invalid | undefined {
  if (stream.retracted.has(eventId)) return new Conflict([`eventId: event ${eventId} is already retracted`]);
  const target = stream.live.get(eventId);
  if (!target) return new Invalid([`eventId: ${whose} has no event ${eventId}`]);
  if (NOT_RETRACTABLE.includes(target.type)) return new Invalid([`eventId: a ${target.type} event cannot be retracted; record a corrected fact instead`]);
  return undefined;
}

/** The decision: the retraction must name a live, retractable event of the officer's own stream. */
export const RETRACT_OFFICER_EVENT: OfficerDecision<RetractionDto> = {
  event: ({ eventId, reason }) => ({ type: 'EventRetracted', data: { retractedEventId: eventId, reason } }),
  decide: (input, { officer }, target) =>
    retractionRefusal(officer, input.eventId, `officer ${target.officerId}`) ?? RETRACT_OFFICER_EVENT.event(input, target),
};

export class RetractOfficerEventCommand extends Command<WriteResult> {
  constructor(
    readonly ctx: WriteContext,
    readonly officerId: string,
    readonly body: RetractionDto,
  ) {
    super();
  }
}

@Controller(ROUTE)
export class RetractOfficerEventController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  retract(@Param() path: OfficerPath, @Body() body: RetractionDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new RetractOfficerEventCommand(ctx, path.officerId, body));
  }
}

/**
 * What a retraction would change (the console's retract form shows it before it is confirmed):
 * the officer's status and findings on `asOf` as the records stand now, and as they would stand
 * with the retraction recorded. Evaluated by the engine on the ledger plus the retraction,
 * nothing recorded.
 */
export interface RetractionPreview {
  officerId: string;
  asOf: string;
  event: { eventId: string; type: string; data: unknown; recordedAt: string; recordedBy: string };
  before: OfficerStatus;
  after: OfficerStatus;
  /** The rules whose outcome or due date would change on asOf. */
  changed: { rule: string; citation: string; before: string; after: string }[];
  /** The status over effective time now and after (the history's intervals), when they differ on any day. */
  intervals?: { before: StatusInterval[]; after: StatusInterval[] };
}

export class GetRetractionPreviewQuery {
  constructor(
    readonly agencyId: string,
    readonly officerId: string,
    readonly eventId: string,
    readonly asOf: string,
  ) {}
}

@QueryHandler(GetRetractionPreviewQuery)
export class GetRetractionPreviewHandler implements IQueryHandler<GetRetractionPreviewQuery, RetractionPreview> {
  constructor(private readonly reader: LedgerReader) {}

  async execute({ agencyId, officerId, eventId, asOf }: GetRetractionPreviewQuery): Promise<RetractionPreview> {
    const ledger = await this.reader.officer(agencyId, officerId);
    const event = ledger.officerEvents.find((e) => e.eventId === eventId);
    if (!event) throw new NotFound([`eventId: officer ${officerId} has no event ${eventId}`]);
    const now = new Date().toISOString();
    const before = officerStatus(ledger, asOf, now);
    const retraction = { eventId: '00000000-0000-4000-8000-000000000000', type: 'EventRetracted', data: { retractedEventId: eventId, reason: 'preview' }, recordedAt: now, recordedBy: 'preview' };
    const after = officerStatus({ ...ledger, officerEvents: [...ledger.officerEvents, retraction] }, asOf, now);
    const outcome = (f: Finding) => `${f.outcome}${f.dueDate ? ` due ${f.dueDate}` : ''}`;
    const changed = after.findings
      .map((a, i) => ({ a, b: before.findings[i] }))
      .filter(({ a, b }) => !b || outcome(a) !== outcome(b))
      .map(({ a, b }) => ({ rule: a.rule, citation: a.citation, before: b ? outcome(b) : '', after: outcome(a) }));
    const intervalsBefore = officerHistory(ledger, now).statusIntervals;
    const intervalsAfter = officerHistory({ ...ledger, officerEvents: [...ledger.officerEvents, retraction] }, now).statusIntervals;
    const plain = (xs: StatusInterval[]) => JSON.stringify(xs.map(({ from, to, status }) => [from, to, status]));
    return {
      officerId,
      asOf,
      event: { eventId: event.eventId, type: event.type, data: event.data, recordedAt: event.recordedAt, recordedBy: event.recordedBy },
      before,
      after,
      changed,
      ...(plain(intervalsBefore) !== plain(intervalsAfter) ? { intervals: { before: intervalsBefore, after: intervalsAfter } } : {}),
    };
  }
}

/** The slice, as src/write-slices.ts lists it (docs/decisions.md W41). */
const WRITE = {
  name: 'RetractOfficerEvent',
  scope: 'officer',
  route: ROUTE,
  dto: RetractionDto,
  path: OfficerPath,
  pathFields: ['officerId'],
  decision: RETRACT_OFFICER_EVENT,
  controller: RetractOfficerEventController,
  command: RetractOfficerEventCommand,
  queries: [GetRetractionPreviewHandler],
} as const;

/** Its command handler, made from it (src/write/write-handler.ts). */
export const RetractOfficerEventHandler = writeHandler(WRITE);

export const RETRACT_OFFICER_EVENT_SLICE = { ...WRITE, handler: RetractOfficerEventHandler } as const satisfies OfficerWriteSlice;
