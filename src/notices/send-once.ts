/**
 * One message sent at most once, whatever the servers and restarts (docs/decisions.md W49, W70):
 * the send is claimed in the processors' store before anything leaves, and its outcome is an
 * event with a fixed id, so a second outcome is refused. The reminder digest and the witnesses'
 * checkpoints both go through it.
 */
import type { ProcessorStore } from '../processors/processor-store.port';
import type { NewEvent } from '../../events/envelope';
import { DuplicateEventIdError, type EventStore } from '../store/event-store.port';

/** A claim this old with no outcome was interrupted (the longest send with its retries is far shorter). */
export const STALE_CLAIM_MS = 60 * 60 * 1000;

/**
 * Claims `sendId` for `claimant`: `mine` (send it), `busy` (another attempt is sending it now), or
 * `interrupted` with when it was claimed (an attempt stopped between the mail server and its
 * outcome: it may have been delivered, and it is not sent again).
 */
export async function claimSend(store: ProcessorStore, processor: string, sendId: string, claimant: string, now = Date.now()): Promise<{ state: 'mine' } | { state: 'busy' } | { state: 'interrupted'; at: number }> {
  const claim = await store.claim(processor, sendId, claimant, now);
  if (claim.claimant === claimant) return { state: 'mine' };
  return now - claim.at < STALE_CLAIM_MS ? { state: 'busy' } : { state: 'interrupted', at: claim.at };
}

/** A send's outcome, once: `event` carries the send's fixed id, so a second outcome is refused and ignored. */
export async function recordOutcomeOnce(store: EventStore, stream: string, event: NewEvent): Promise<void> {
  try {
    await store.appendToStream(stream, [event], { expectedRevision: 'any' });
  } catch (error) {
    if (!(error instanceof DuplicateEventIdError)) throw error;
  }
}
