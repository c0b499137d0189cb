/** Slice: end an assignment (AssignmentEnded). The officer is no longer an SRO after endDate. */
import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Roles } from '../auth/roles.decorator';
import { AssignmentPath } from '../common/paths';
import { IsLocalDate } from '../common/validation';
import { END_ASSIGNMENT } from '../write/invariants';
import { LedgerWriter, WriteResult } from '../write/ledger-writer';
import { WriteContext, WriteCtx } from '../write/write-context';

export class EndAssignmentDto {
  @IsLocalDate() endDate!: string;
}

export class EndAssignmentCommand {
  constructor(
    readonly ctx: WriteContext,
    readonly officerId: string,
    readonly assignmentId: string,
    readonly body: EndAssignmentDto,
  ) {}
}

@CommandHandler(EndAssignmentCommand)
export class EndAssignmentHandler implements ICommandHandler<EndAssignmentCommand, WriteResult> {
  constructor(private readonly ledger: LedgerWriter) {}

  execute({ ctx, officerId, assignmentId, body }: EndAssignmentCommand): Promise<WriteResult> {
    return this.ledger.officerCommand(ctx, officerId, END_ASSIGNMENT, { assignmentId, endDate: body.endDate });
  }
}

@Controller('agencies/:agencyId/officers/:officerId/assignments/:assignmentId/end')
export class EndAssignmentController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  end(@Param() path: AssignmentPath, @Body() body: EndAssignmentDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new EndAssignmentCommand(ctx, path.officerId, path.assignmentId, body));
  }
}
