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
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: StoredCheckpoint[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed = JSON.parse(line) as StoredCheckpoint;
      if (typeof parsed?.note === 'string' && Number.isSafeInteger(parsed.treeSize)) out.push(parsed);
    } catch {
      // a torn last line after a crash: ignored
    }
  }
  return out;
}
