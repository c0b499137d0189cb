/** Console sessions in memory, for `memory:` and `sqlite::memory:` (lost on exit, as those stores are; docs/decisions.md W55). */
import type { SessionRecord, SessionRecordStore } from '../../auth/session-store.port';

/** An unbounded flood of anonymous visits must not exhaust memory: the oldest rows go first beyond this. */
const MAX_ROWS = 60_000;

export class MemorySessionStore implements SessionRecordStore {
  private readonly rows = new Map<string, SessionRecord>();
  async get(key: string) {
    const row = this.rows.get(key);
    return row && { ...row };
  }
  async put(record: SessionRecord) {
    this.rows.delete(record.key);
    this.rows.set(record.key, { ...record });
    if (this.rows.size > MAX_ROWS) this.rows.delete(this.rows.keys().next().value!);
  }
  async update(key: string, lastSeenAt: number, data: string) {
    const row = this.rows.get(key);
    if (row) Object.assign(row, { lastSeenAt: Math.max(row.lastSeenAt, lastSeenAt), data });
  }
  async touch(key: string, lastSeenAt: number) {
    const row = this.rows.get(key);
    if (row) row.lastSeenAt = Math.max(row.lastSeenAt, lastSeenAt);
  }
  async delete(key: string) {
    this.rows.delete(key);
  }
  async deleteAllOf(userId: string) {
    let n = 0;
    for (const [key, row] of this.rows) if (row.userId === userId && this.rows.delete(key)) n++;
    return n;
  }
  async listOf(userId: string) {
    return [...this.rows.values()].filter((r) => r.userId === userId).sort((a, b) => (b.signedInAt ?? 0) - (a.signedInAt ?? 0)).map((r) => ({ ...r }));
  }
  async purge(idleBefore: number, signedInBefore: number) {
    let n = 0;
    for (const [key, row] of this.rows) if ((row.lastSeenAt < idleBefore || (row.signedInAt !== null && row.signedInAt < signedInBefore)) && this.rows.delete(key)) n++;
    return n;
  }
  async close() {}
}
