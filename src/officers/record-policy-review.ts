/** Slice: the officer reviewed a version of the agency's SRO policy (PolicyReviewed; subd. 3(c), policy "Substitute SROs"). */
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
import { Invalid } from '../write/refusals';
import { writeHandler } from '../write/write-handler';
import type { OfficerWriteSlice } from '../write/write-slice';

/** The route under /api (POST). */
const ROUTE = 'agencies/:agencyId/officers/:officerId/policy-reviews';

export class RecordPolicyReviewDto {
  @IsString() @IsNotEmpty() @MaxLength(64) @IsPlainText() version!: string;
  @IsLocalDate() reviewedOn!: string;
}

/**
 * The decision, against the agency's policies: a review after today is refused first (decisions
 * W12), then one of a version the agency never adopted (or whose adoption was retracted), then
 * one dated before the version's adoption: there was nothing of it to review yet.
 */
export const RECORD_POLICY_REVIEW: OfficerDecision<RecordPolicyReviewDto> = {
  event: ({ version, reviewedOn }) => ({ type: 'PolicyReviewed', data: { version, reviewedOn } }),
  decide(input, { agency }, target) {
    const { version, reviewedOn } = input;
    const future = notAfterToday('reviewedOn', reviewedOn, target.today);
    if (future) return future;
    const policy = agency.policies.get(version);
    if (!policy) {
      const adopted = [...agency.policies.keys()];
      return new Invalid([`version: agency ${target.agencyId} never adopted policy version "${version}" (adopted: ${adopted.length ? adopted.join(', ') : 'none'})`]);
    }
    if (reviewedOn < policy.adoptedOn) {
      return new Invalid([`reviewedOn must be on or after the adoptedOn ${policy.adoptedOn} of policy version "${version}" (got ${reviewedOn})`]);
    }
    return RECORD_POLICY_REVIEW.event(input, target);
  },
};

export class RecordPolicyReviewCommand extends Command<WriteResult> {
  constructor(
    readonly ctx: WriteContext,
    readonly officerId: string,
    readonly body: RecordPolicyReviewDto,
  ) {
    super();
  }
}

@Controller(ROUTE)
export class RecordPolicyReviewController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('admin')
  record(@Param() path: OfficerPath, @Body() body: RecordPolicyReviewDto, @WriteCtx() ctx: WriteContext): Promise<WriteResult> {
    return this.commands.execute(new RecordPolicyReviewCommand(ctx, path.officerId, body));
  }
}

/** The slice, as src/write-slices.ts lists it (docs/decisions.md W41). */
const WRITE = {
  name: 'RecordPolicyReview',
  scope: 'officer',
  route: ROUTE,
  dto: RecordPolicyReviewDto,
  path: OfficerPath,
  pathFields: ['officerId'],
  decision: RECORD_POLICY_REVIEW,
  controller: RecordPolicyReviewController,
  command: RecordPolicyReviewCommand,
} as const;

/** Its command handler, made from it (src/write/write-handler.ts). */
export const RecordPolicyReviewHandler = writeHandler(WRITE);

export const RECORD_POLICY_REVIEW_SLICE = { ...WRITE, handler: RecordPolicyReviewHandler } as const satisfies OfficerWriteSlice;
