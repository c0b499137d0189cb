/**
 * The access log in memory, for `memory:` (lost on exit, as that store is): chained in batches as
 * every access-log store (src/access-log/access-log-chain.ts, docs/decisions.md W37).
 */
import { ACCESS_LOG_GENESIS, accessLogBatchHash, accessLogLine, type AccessLogHead } from '../../../events/access-log';
import { toRow, walkChain, type BatchRow } from '../../access-log/access-log-chain';
import type { AccessEntry, AccessLogFilter, AccessLogStore } from '../../access-log/access-log-store';

export class MemoryAccessLogStore implements AccessLogStore {
  private readonly entries: AccessEntry[] = [];
  private readonly batches: BatchRow[] = [];
  async append(entries: readonly AccessEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const firstId = this.entries.length + 1;
    this.entries.push(...entries);
    const lines = entries.map((e, i) => accessLogLine(firstId + i, toRow(e)));
    const prevHash = this.batches.at(-1)?.hash ?? ACCESS_LOG_GENESIS;
    this.batches.push({ seq: this.batches.length + 1, firstId, lastId: this.entries.length, rows: entries.length, prevHash, hash: accessLogBatchHash(prevHash, lines) });
  }
  async head(): Promise<AccessLogHead> {
    return { batches: this.batches.length, rows: this.entries.length, hash: this.batches.at(-1)?.hash ?? ACCESS_LOG_GENESIS };
  }
  async verify(sealed?: readonly AccessLogHead[]): Promise<string | undefined> {
    return walkChain(
      {
        head: async () => ({ seq: this.batches.length, lastId: this.entries.length, rows: this.entries.length, hash: this.batches.at(-1)?.hash ?? ACCESS_LOG_GENESIS }),
        batchesAfter: async (seq, limit) => this.batches.slice(seq, seq + limit),
        linesAfter: async (id, limit) => this.entries.slice(id, id + limit).map((e, i) => ({ id: id + i + 1, line: accessLogLine(id + i + 1, toRow(e)) })),
        maxId: async () => this.entries.length,
      },
      sealed,
    );
  }
  async find(f: AccessLogFilter): Promise<AccessEntry[]> {
    return this.entries
      .filter((e) => e.agencyId === f.agencyId && (f.officerId === undefined || e.officerId === f.officerId) && (f.principalId === undefined || e.principal.id === f.principalId) && (!f.from || e.at >= f.from) && (!f.to || e.at <= f.to))
      .reverse()
      .slice(0, f.limit);
  }
  async close(): Promise<void> {}
}
