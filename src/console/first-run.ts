/**
 * First run (docs/reference.md#get-setup): when the store holds no agency, the server makes a
 * one-time setup link (printed by `serve`, valid 24 hours, in this process's memory only) whose
 * page creates the agency and its first admin, as self-hosted tools such as Grafana or Gitea do.
 * Once any agency exists, or once the link is used, there is no setup page; later people are
 * invited.
 */
import { Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { LINK_VALIDITY_MS, newLinkSecret } from '../auth/accounts';
import { EVENT_STORE, type EventStore } from '../store/event-store.port';

@Injectable()
export class FirstRunSetup {
  private secret?: { value: string; expiresAt: number };

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async needed(): Promise<boolean> {
    return (await this.store.listStreams('agency-')).length === 0;
  }

  /** A new setup link's secret when no agency exists yet (replacing an older one), else undefined. */
  async open(now = Date.now()): Promise<string | undefined> {
    if (!(await this.needed())) return undefined;
    this.secret = { value: newLinkSecret(), expiresAt: now + LINK_VALIDITY_MS };
    return this.secret.value;
  }

  /** Whether `secret` is the open setup link's (constant time) and it has not expired. */
  matches(secret: unknown, now = Date.now()): boolean {
    if (!this.secret || typeof secret !== 'string' || now > this.secret.expiresAt) return false;
    const a = createHash('sha256').update(this.secret.value).digest();
    const b = createHash('sha256').update(secret).digest();
    return timingSafeEqual(a, b);
  }

  /** Used up: the link works once. */
  close(): void {
    this.secret = undefined;
  }
}
