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
 * the last complete line: a reader that keeps the offset reads only what was appended since
 * (a year of 5-minute checkpoints is about 40 MB). An offset past the end (the file was replaced
 * or truncated) reads it from the start again.
 */
export function readCheckpointLogFrom(file: string, offset: number): { checkpoints: StoredCheckpoint[]; offset: number } {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { checkpoints: [], offset: 0 };
    throw err;
  }
  let bytes: Buffer;
  let from: number;
  try {
    const size = fs.fstatSync(fd).size;
    from = offset > size ? 0 : offset;
    bytes = Buffer.alloc(size - from);
    fs.readSync(fd, bytes, 0, bytes.length, from);
  } finally {
    fs.closeSync(fd);
  }
  const end = bytes.lastIndexOf(0x0a) + 1;
  if (end === 0) return { checkpoints: [], offset: from };
  const text = bytes.subarray(0, end).toString('utf8');
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
  return { checkpoints: out, offset: from + end };
}
