/** Slice: a student contact day served as a substitute SRO (SubstituteDayServed; policy "Substitute SROs"). */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { Command, CommandBus } from '@nestjs/cqrs';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Roles } from '../auth/roles.decorator';
import { OfficerPath } from '../common/paths';
import { IsPlainText } from '../common/plain-text';
import { IsLocalDate } from '../common/validation';
import { WriteCtx } from '../common/write-context';
import { notAfterToday, OfficerDecision } from '../write/decision';
import { WriteContext, WriteResult } from '../write/ledger-writer';
import { writeHandler } from '../write/write-handler';
import type { OfficerWriteSlice } from '../write/write-slice';

/** The route under /api (POST). */
const ROUTE = 'agencies/:agencyId/officers/:officerId/substitute-days';

export class RecordSubstituteDayDto {
  @IsLocalDate() date!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) @IsPlainText() school!: string;
}

/**
 * The decision: a day after today is refused (decisions W12). Two schools on one day are two
 * facts but one contact day: the rules count distinct dates.
 */
export const RECORD_SUBSTITUTE_DAY: OfficerDecision<RecordSubstituteDayDto> = {
  event: ({ date, school }) => ({ type: 'SubstituteDayServed', data: { date, school } }),
  decide: (input, _models, target) => notAfterToday('date', input.date, target.today) ?? RECORD_SUBSTITUTE_DAY.event(input, target),
};

export class RecordSubstituteDayCommand extends Command<WriteResult> {
  constructor(
    readonly ctx: WriteContext,
    readonly officerId: string,
    readonly body: RecordSubstituteDayDto,
  ) {
    super();
  }
}

@Controller(ROUTE)
export class RecordSubstituteDayController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  record(@Param() path: OfficerPath, @Body() body: RecordSubstituteDayDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new RecordSubstituteDayCommand(ctx, path.officerId, body));
  }
}

/** The slice, as src/write-slices.ts lists it (docs/decisions.md W41). */
const WRITE = {
  name: 'RecordSubstituteDay',
  scope: 'officer',
  route: ROUTE,
  dto: RecordSubstituteDayDto,
  path: OfficerPath,
  pathFields: ['officerId'],
  decision: RECORD_SUBSTITUTE_DAY,
  controller: RecordSubstituteDayController,
  command: RecordSubstituteDayCommand,
} as const;

/** Its command handler, made from it (src/write/write-handler.ts). */
export const RecordSubstituteDayHandler = writeHandler(WRITE);

export const RECORD_SUBSTITUTE_DAY_SLICE = { ...WRITE, handler: RecordSubstituteDayHandler } as const satisfies OfficerWriteSlice;
