/**
 * The checkpoint log: every checkpoint the ledger signs, appended as one JSON line to a file
 * beside the signing key (`<key file>.checkpoints`), outside the event store, so that deleting
 * the store's checkpoints does not make the server forget what it signed.
 */
import fs from 'node:fs';
import type { StoredCheckpoint } from '../store/event-store.port';

export const checkpointLogFile = (keyFile: string): string => `${keyFile}.checkpoints`;

export function appendToCheckpointLog(file: string, checkpoint: StoredCheckpoint): void {
  fs.appendFileSync(file, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 });
}

/** The checkpoints in the log, oldest first; lines that do not parse are skipped (they are verified by signature anyway). */
export function readCheckpointLog(file: string): StoredCheckpoint[] {
  return readCheckpointLogFrom(file, 0).checkpoints;
}

/**
 * The checkpoints in the complete lines of the log from byte `offset` on, and the offset after
 * the last complete line: a reader that keeps the offset reads each line once. An offset past
 * the end (the file was replaced or truncated) reads from the start again, with `restarted`.
 */
export function readCheckpointLogFrom(file: string, offset: number): { checkpoints: StoredCheckpoint[]; offset: number; restarted: boolean } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { checkpoints: [], offset: 0, restarted: offset > 0 };
    throw err;
  }
  const restarted = offset > bytes.length;
  const from = restarted ? 0 : offset;
  const end = bytes.lastIndexOf(0x0a) + 1;
  if (end <= from) return { checkpoints: [], offset: from, restarted };
  const text = bytes.subarray(from, end).toString('utf8');
  const out: StoredCheckpoint[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed = JSON.parse(line) as StoredCheckpoint;
      if (typeof parsed?.note === 'string' && Number.isSafeInteger(parsed.treeSize)) out.push(parsed);
    } catch {
      // a line that is not a checkpoint: ignored
    }
  }
  return { checkpoints: out, offset: end, restarted };
}
