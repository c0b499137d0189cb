/**
 * Who may act for which agency. Grants live as TokenIssued / TokenRevoked events in the global
 * access stream (events/access.ts), so access is audited and hash-chained like every other fact.
 * This registry folds that stream into a lookup by token hash and catches up on every
 * authentication (one indexed read of the stream's tail), so a token revoked by the CLI in
 * another process stops working on the server's next request.
 */
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ACCESS_STREAM } from '../../events/streams';
import type { AccessEvent, Role } from '../../events/access';
import type { RecordedEvent } from '../../events/envelope';
import { EVENT_STORE, EventStore, WrongExpectedRevisionError } from '../store/event-store.port';
import { newEvent } from '../write/new-events';
import { Conflict, NotFound } from '../write/refusals';
import { generateToken, hashToken } from './tokens';

export interface Grant {
  tokenId: string;
  agencyId: string;
  role: Role;
  name: string;
  issuedAt: string;
  revokedAt?: string;
}

@Injectable()
export class AccessRegistry {
  private revision = -1;
  private readonly byHash = new Map<string, Grant>();
  private readonly byId = new Map<string, Grant>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** The active grant for a presented token, or undefined. */
  async authenticate(token: string): Promise<Grant | undefined> {
    await this.catchUp();
    const grant = this.byHash.get(hashToken(token));
    return grant && !grant.revokedAt ? grant : undefined;
  }

  async grants(agencyId: string): Promise<Grant[]> {
    await this.catchUp();
    return [...this.byId.values()].filter((g) => g.agencyId === agencyId);
  }

  /** Issues a token; returns it in clear, the only time it exists outside the caller's hands. */
  async issue(input: { agencyId: string; role: Role; name: string; recordedBy: string }): Promise<{ token: string; grant: Grant }> {
    const token = generateToken();
    const tokenId = randomUUID();
    const event = await this.appendChecked(input.recordedBy, () => {
      const active = [...this.byId.values()].find((g) => g.agencyId === input.agencyId && g.name === input.name && !g.revokedAt);
      if (active) throw new Conflict([`name: agency ${input.agencyId} already has an active token named "${input.name}"; revoke it first or choose another name`]);
      return { type: 'TokenIssued', data: { tokenId, tokenSha256: hashToken(token), agencyId: input.agencyId, role: input.role, name: input.name } };
    });
    return { token, grant: { ...this.byId.get(tokenId)!, issuedAt: event.recordedAt } };
  }

  async revoke(input: { agencyId: string; name: string; reason: string; recordedBy: string }): Promise<Grant> {
    let tokenId = '';
    await this.appendChecked(input.recordedBy, () => {
      const active = [...this.byId.values()].find((g) => g.agencyId === input.agencyId && g.name === input.name && !g.revokedAt);
      if (!active) throw new NotFound([`name: agency ${input.agencyId} has no active token named "${input.name}"`]);
      tokenId = active.tokenId;
      return { type: 'TokenRevoked', data: { tokenId, reason: input.reason } };
    });
    return this.byId.get(tokenId)!;
  }

  /** Decides against the caught-up state and appends at that revision; retries when another writer got there first. */
  private async appendChecked(recordedBy: string, decide: () => AccessEvent): Promise<RecordedEvent> {
    for (let attempt = 0; ; attempt++) {
      await this.catchUp();
      const event = decide();
      try {
        const result = await this.store.appendToStream(
          ACCESS_STREAM,
          [newEvent(event, { recordedBy, correlationId: randomUUID() })],
          { expectedRevision: this.revision < 0 ? 'no_stream' : this.revision },
        );
        await this.catchUp();
        return result.events[0];
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= 5) throw error;
      }
    }
  }

  private async catchUp(): Promise<void> {
    const events = await this.store.readStream(ACCESS_STREAM, { fromRevision: this.revision + 1 });
    for (const event of events) {
      if (event.revision <= this.revision) continue; // another caller applied it meanwhile
      this.apply(event);
      this.revision = event.revision;
    }
  }

  private apply(event: RecordedEvent): void {
    const access = { type: event.type, data: event.data } as AccessEvent;
    if (access.type === 'TokenIssued') {
      const { tokenId, tokenSha256, agencyId, role, name } = access.data;
      const grant: Grant = { tokenId, agencyId, role, name, issuedAt: event.recordedAt };
      this.byHash.set(tokenSha256, grant);
      this.byId.set(tokenId, grant);
    } else if (access.type === 'TokenRevoked') {
      const grant = this.byId.get(access.data.tokenId);
      if (grant) grant.revokedAt = event.recordedAt;
    }
  }
}
