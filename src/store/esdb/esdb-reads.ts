/**
 * The EventStoreDB adapter's reads that need the client only (esdb-event-store.ts): a stream's
 * records read completely, and the check that the standard projections its listings read are
 * running (docs/stores.md).
 */
import { BACKWARDS, END, EventStoreDBClient, FORWARDS, START } from '@eventstore/db-client';
import type { ResolvedEvent } from '@eventstore/db-client';

export const isStreamNotFound = (err: unknown) => (err as { type?: unknown } | null)?.type === 'stream-not-found';

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** A stream's records ([] when it does not exist), read completely before returning. */
export async function readRecords(
  client: EventStoreDBClient,
  physical: string,
  fromRevision: bigint | typeof START | typeof END,
  maxCount?: number,
  direction: typeof FORWARDS | typeof BACKWARDS = FORWARDS,
) {
  try {
    const resolved: ResolvedEvent[] = await collect(client.readStream(physical, { fromRevision, direction, ...(maxCount !== undefined ? { maxCount } : {}) }));
    return resolved.flatMap((r) => (r.event ? [r.event] : []));
  } catch (err) {
    if (isStreamNotFound(err)) return [];
    throw err;
  }
}

/** Once per projection and store (`checked`): listStreams depends on it running. */
export async function checkProjectionRunning(client: EventStoreDBClient, checked: Set<string>, name: string): Promise<void> {
  if (checked.has(name)) return;
  const advice = 'listStreams needs the standard projections: start EventStoreDB with --run-projections=All --start-standard-projections';
  let status: string;
  try {
    status = (await client.getProjectionStatus(name)).projectionStatus;
  } catch (err) {
    throw new Error(`could not read the status of the ${name} projection (${(err as Error).message}); ${advice}`, { cause: err });
  }
  if (status !== 'Running') throw new Error(`the ${name} projection is ${status || 'not running'}; ${advice}`);
  checked.add(name);
}
