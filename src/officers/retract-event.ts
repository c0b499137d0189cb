/** Slice: retract a mistaken event of an officer's record (EventRetracted). The event stays; it stops counting. */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { Command, CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { IsNotEmpty, IsString, IsUUID, MaxLength } from 'class-validator';
import type { EventType } from '../../events/catalogue';
import { Roles } from '../auth/roles.decorator';
import { OfficerPath } from '../common/paths';
import { IsPlainText } from '../common/plain-text';
import { WriteCtx } from '../http/write-context';
import { OfficerDecision } from '../write/decision';
import { LedgerWriter, WriteContext, WriteResult } from '../write/ledger-writer';
import { Conflict, Invalid } from '../write/refusals';

/** The body of both retractions: this one and the agency's (src/agencies/retract-agency-event.ts). */
export class RetractionDto {
  @IsUUID() eventId!: string;
  @IsString() @IsNotEmpty() @MaxLength(2000) @IsPlainText() reason!: string;
}

/** A stream's identity and a retraction cannot be retracted (decisions W2): record a corrected fact instead. */
const NOT_RETRACTABLE: readonly EventType[] = ['AgencyRegistered', 'OfficerRegistered', 'EventRetracted'];

/**
 * Why a retraction cannot be recorded, if it cannot (SPEC §2; shared with the agency's): it names
 * an event of the same stream that exists and is not already retracted.
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

@CommandHandler(RetractOfficerEventCommand)
export class RetractOfficerEventHandler implements ICommandHandler<RetractOfficerEventCommand> {
  constructor(private readonly ledger: LedgerWriter) {}

  execute({ ctx, officerId, body }: RetractOfficerEventCommand): Promise<WriteResult> {
    return this.ledger.officerCommand(ctx, officerId, RETRACT_OFFICER_EVENT, body);
  }
}

@Controller('agencies/:agencyId/officers/:officerId/retractions')
export class RetractOfficerEventController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  retract(@Param() path: OfficerPath, @Body() body: RetractionDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new RetractOfficerEventCommand(ctx, path.officerId, body));
  }
}
