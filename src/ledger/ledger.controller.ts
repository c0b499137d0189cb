/**
 * Slices of the ledger as a whole (docs/reference.md, the /api/ledger routes;
 * docs/reference.md#integrity): the latest signed checkpoint (any valid token: people outside the
 * agency keep copies), the verifier key to check it with, and proofs that an event is in a
 * checkpoint (inclusion) or that a later tree extends an earlier one (consistency), RFC 9162
 * §2.1.3-2.1.4, for investigators and admins.
 */
import { Controller, Get, Header, Query, Req, ServiceUnavailableException } from '@nestjs/common';
import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { Inject } from '@nestjs/common';
import { IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { parseStream } from '../../events/streams';
import type { AuthenticatedRequest } from '../auth/auth.guard';
import { Roles } from '../auth/roles.decorator';
import { EVENT_STORE, type EventStore } from '../store/event-store.port';
import { Invalid, NotFound } from '../write/refusals';
import { CheckpointService } from './checkpoint-service';

const WHOLE = /^(0|[1-9][0-9]{0,15})$/;
const WHOLE_MESSAGE = (name: string) => `${name} must be a whole number of events, e.g. 42`;

export class InclusionProofDto {
  @IsString() @IsUUID('all', { message: 'eventId must be an event id (a UUID)' }) eventId!: string;
  @IsOptional() @Matches(WHOLE, { message: WHOLE_MESSAGE('treeSize') }) treeSize?: string;
}

export class ConsistencyProofDto {
  @Matches(WHOLE, { message: WHOLE_MESSAGE('from') }) from!: string;
  @IsOptional() @Matches(WHOLE, { message: WHOLE_MESSAGE('to') }) to?: string;
}

export interface InclusionProof {
  eventId: string;
  stream: string;
  revision: number;
  /** The event's place in the tree (0-based, position order). */
  leafIndex: number;
  treeSize: number;
  /** SHA-256(0x00 ‖ event hash), hex. */
  leafHash: string;
  rootHash: string;
  /** RFC 9162 inclusion path, leaf to root, hex. */
  proof: string[];
  checkpoint?: string;
}

export interface ConsistencyProof {
  from: number;
  to: number;
  fromRootHash: string;
  toRootHash: string;
  proof: string[];
  checkpoint?: string;
}

export class GetCheckpointQuery {}
export class GetInclusionProofQuery {
  constructor(
    readonly agencyId: string,
    readonly eventId: string,
    readonly treeSize?: number,
  ) {}
}
export class GetConsistencyProofQuery {
  constructor(
    readonly from: number,
    readonly to?: number,
  ) {}
}

@QueryHandler(GetCheckpointQuery)
export class GetCheckpointHandler implements IQueryHandler<GetCheckpointQuery, string> {
  constructor(private readonly checkpoints: CheckpointService) {}
  async execute(): Promise<string> {
    // The key's first checkpoint may be of 0 events (docs/decisions.md W37): one of the events is signed now.
    const known = await this.checkpoints.latest();
    const latest = known && known.treeSize > 0 ? known : await issueOrUnavailable(this.checkpoints);
    if (!latest || latest.treeSize === 0) throw new NotFound(['the ledger has no events yet, so no checkpoint has been signed']);
    return latest.note;
  }
}

/** Signs one now; a ledger found altered (IntegrityAlarm) is a 503 that says why, never a 500 (docs/decisions.md W37). */
async function issueOrUnavailable(checkpoints: CheckpointService) {
  try {
    return await checkpoints.issue();
  } catch (err) {
    if ((err as Error).name !== 'IntegrityAlarm') throw err;
    throw new ServiceUnavailableException({ message: [`no checkpoint can be signed: ${(err as Error).message}`] });
  }
}

/** The tree size a proof is for: the one asked, else the latest checkpoint's (signing one if there is none). */
async function proofSize(checkpoints: CheckpointService, asked: number | undefined): Promise<{ size: number; note?: string }> {
  await checkpoints.leaves.sync();
  const known = await checkpoints.checkpoints();
  if (asked === undefined) {
    const last = known.at(-1);
    const latest = last && last.treeSize > 0 ? last : await issueOrUnavailable(checkpoints);
    if (!latest || latest.treeSize === 0) throw new NotFound(['the ledger has no events yet']);
    return { size: latest.treeSize, note: latest.note };
  }
  if (asked > checkpoints.leaves.size) throw new Invalid([`the ledger holds ${checkpoints.leaves.size} events, fewer than ${asked}`]);
  return { size: asked, note: known.find((c) => c.treeSize === asked)?.note };
}

@QueryHandler(GetInclusionProofQuery)
export class GetInclusionProofHandler implements IQueryHandler<GetInclusionProofQuery, InclusionProof> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly checkpoints: CheckpointService,
  ) {}

  async execute({ agencyId, eventId, treeSize }: GetInclusionProofQuery): Promise<InclusionProof> {
    const event = await this.store.readEvent(eventId);
    const owner = event ? parseStream(event.stream) : null;
    // Only the caller's agency's events: another agency's event ids are not confirmed to exist.
    if (!event || !owner || owner.kind === 'access' || owner.agencyId !== agencyId) throw new NotFound([`eventId: agency ${agencyId} has no event ${eventId}`]);
    const { size, note } = await proofSize(this.checkpoints, treeSize);
    const index = this.checkpoints.leaves.indexOf(event.position);
    if (index < 0 || index >= size) {
      throw new Invalid([`eventId: event ${eventId} was recorded after the tree of ${size} events; ask for a later treeSize or wait for the next checkpoint`]);
    }
    const { leaves } = this.checkpoints.leaves;
    return {
      eventId,
      stream: event.stream,
      revision: event.revision,
      leafIndex: index,
      treeSize: size,
      leafHash: leaves.leaf(index).toString('hex'),
      rootHash: leaves.root(size).toString('hex'),
      proof: leaves.inclusionProof(index, size).map((p) => p.toString('hex')),
      ...(note ? { checkpoint: note } : {}),
    };
  }
}

@QueryHandler(GetConsistencyProofQuery)
export class GetConsistencyProofHandler implements IQueryHandler<GetConsistencyProofQuery, ConsistencyProof> {
  constructor(private readonly checkpoints: CheckpointService) {}

  async execute({ from, to }: GetConsistencyProofQuery): Promise<ConsistencyProof> {
    const { size, note } = await proofSize(this.checkpoints, to);
    if (from > size) throw new Invalid([`from (${from}) must not be larger than to (${size})`]);
    const { leaves } = this.checkpoints.leaves;
    return {
      from,
      to: size,
      fromRootHash: leaves.root(from).toString('hex'),
      toRootHash: leaves.root(size).toString('hex'),
      proof: leaves.consistencyProof(from, size).map((p) => p.toString('hex')),
      ...(note ? { checkpoint: note } : {}),
    };
  }
}

@Controller('ledger')
export class LedgerController {
  constructor(
    private readonly queries: QueryBus,
    private readonly checkpoints: CheckpointService,
  ) {}

  @Get('checkpoint')
  @Roles('admin', 'auditor', 'chief', 'investigator')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  checkpoint(): Promise<string> {
    return this.queries.execute(new GetCheckpointQuery());
  }

  /** The verifier key (`<origin>+<key hash>+<base64 key>`) that checks every checkpoint. */
  @Get('key')
  @Roles('admin', 'auditor', 'chief', 'investigator')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  key(): string {
    return `${this.checkpoints.key().verifierKey}\n`;
  }

  @Get('proofs/inclusion')
  @Roles('investigator', 'admin')
  inclusion(@Query() query: InclusionProofDto, @Req() request: AuthenticatedRequest): Promise<InclusionProof> {
    return this.queries.execute(new GetInclusionProofQuery(request.grant!.agencyId, query.eventId, query.treeSize === undefined ? undefined : Number(query.treeSize)));
  }

  @Get('proofs/consistency')
  @Roles('investigator', 'admin')
  consistency(@Query() query: ConsistencyProofDto): Promise<ConsistencyProof> {
    return this.queries.execute(new GetConsistencyProofQuery(Number(query.from), query.to === undefined ? undefined : Number(query.to)));
  }
}
