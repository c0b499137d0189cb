/**
 * The access log ("who read what", Minn. Stat. 13.05 subd. 5 and 13.055) against its chain and
 * the heads the ledger sealed (docs/integrity.md; docs/decisions.md W37), called by the one
 * verification (ledger-verifier.ts). The seals are AccessLogSealed events of the `access-log`
 * stream, each covered by the signed checkpoint that followed it: an entry deleted, a reader
 * rewritten or the table dropped breaks the chain, or leaves it short of a sealed head even
 * when the chain was recomputed.
 */
import { ACCESS_LOG_SEALED, ACCESS_LOG_STREAM, type AccessLogHead, isAccessLogSealed } from '../../events/access-log';
import type { BrokenLink } from '../../events/integrity';
import type { RecordedEvent } from '../../events/envelope';
import type { AccessLogStore } from '../access-log/access-log-store';

/** Collects the sealed heads as the scan passes them. */
export class AccessLogSeals {
  readonly heads: AccessLogHead[] = [];
  private malformed?: RecordedEvent;

  add(event: RecordedEvent): void {
    if (event.stream !== ACCESS_LOG_STREAM || event.type !== ACCESS_LOG_SEALED) return;
    if (isAccessLogSealed(event.data)) this.heads.push(event.data);
    else this.malformed ??= event;
  }

  async check(accessLog: AccessLogStore | undefined): Promise<BrokenLink | undefined> {
    if (this.malformed) return { stream: this.malformed.stream, revision: this.malformed.revision, eventId: this.malformed.eventId, reason: 'this seal of the access log does not hold a head (batches, entries, hash): it was altered' };
    if (!accessLog) return undefined;
    const problem = await accessLog.verify(this.heads);
    return problem ? { stream: ACCESS_LOG_STREAM, revision: -1, eventId: null, reason: problem } : undefined;
  }
}
