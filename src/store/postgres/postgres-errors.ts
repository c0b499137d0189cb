/**
 * The PostgreSQL adapter's errors: what PostgreSQL cannot store, connection failures explained,
 * and a failed append as the port's errors.
 *
 * Text: PostgreSQL cannot store NUL characters or unpaired UTF-16 surrogates in text or jsonb;
 * such an event is refused with a TypeError rather than stored altered (the hash would break).
 */
import type { ValidatedRequest } from '../append-support';
import { DuplicateEventIdError, StoreUnavailableError, WrongExpectedRevisionError } from '../event-store.port';

/** A query on the pool or on one connection, as the adapter's parts run them. */
export type Query = <R>(sql: string, params?: unknown[]) => Promise<{ rows: R[] }>;

export const sqlState = (err: unknown): string | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** NUL and unpaired surrogates: text PostgreSQL cannot store (pg would replace a lone surrogate with U+FFFD). */
export const UNSTORABLE = /[\u0000\p{Cs}]/u;

export function assertStorableText(value: string, where: string): void {
  if (UNSTORABLE.test(value)) throw new TypeError(`${where} contains a NUL character or an unpaired surrogate, which PostgreSQL cannot store`);
}

/** Where the store connects to, for error messages (never the password). */
export interface Target {
  host: string;
  port: string;
  database: string;
  user: string;
}

export function describeTarget(url: URL): Target {
  const param = (name: string) => url.searchParams.get(name) ?? undefined;
  const user = decodeURIComponent(url.username) || param('user') || process.env.PGUSER || process.env.USER || 'postgres';
  return {
    host: decodeURIComponent(url.hostname) || param('host') || process.env.PGHOST || 'localhost',
    port: url.port || param('port') || process.env.PGPORT || '5432',
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || param('database') || process.env.PGDATABASE || user,
    user,
  };
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'ENOENT']);
/** SQLSTATEs of a session the server ended or would not start: admin_shutdown (pg_terminate_backend), crash_shutdown, cannot_connect_now, too_many_connections. */
const ENDED_SESSION_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
/** What pg says of a connection that broke under a query, or of a client used after it broke. */
const BROKEN_CONNECTION = /timeout exceeded when trying to connect|Connection terminated|connection error and is not queryable|Client was closed and is not queryable/i;

/**
 * True for an error that says the connection is gone or could not be made (the socket, the
 * server ending the session, a pool that could not connect in time): the statement did not take
 * effect, or its transaction was rolled back with the session; asking again later may work.
 * Duck-typed, not instanceof: Node's socket errors come from another realm under jest.
 */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  if (typeof error !== 'object' || error === null || typeof (error as { message?: unknown }).message !== 'string') return false;
  const code = sqlState(error) ?? '';
  return CONNECTION_CODES.has(code) || ENDED_SESSION_CODES.has(code) || code.startsWith('08') || BROKEN_CONNECTION.test((error as Error).message);
}

/**
 * A connection, authentication or "no such database" failure, rewritten to say where the store
 * tried to connect and what to check; undefined for any other error. A connection that could
 * not be made or was ended is a StoreUnavailableError (the HTTP edge answers 503).
 */
export function connectionError(error: unknown, target: Target): Error | undefined {
  if (error instanceof StoreUnavailableError) return error;
  if (typeof error !== 'object' || error === null || typeof (error as { message?: unknown }).message !== 'string') return undefined;
  const err = error as Error;
  const code = sqlState(err) ?? '';
  const where = `PostgreSQL at ${target.host}:${target.port} (database "${target.database}", user "${target.user}")`;
  if (code.startsWith('28') || (code === '' && /SASL|password/i.test(err.message))) {
    return new Error(`cannot use ${where}: ${err.message || code}; authentication failed: check the user and password in SRO_STORE and the server's pg_hba.conf entry for this client`, { cause: err });
  }
  if (code === '3D000') {
    return new Error(
      `cannot use ${where}: ${err.message || code}; the database does not exist: create it (createdb -h ${target.host} -p ${target.port} -U ${target.user} ${target.database}) or fix the database name in SRO_STORE`,
      { cause: err },
    );
  }
  if (!isConnectionFailure(err)) return undefined;
  const advice = ENDED_SESSION_CODES.has(code)
    ? `the server ended the session, is shutting down, starting up or out of connections: check its state and max_connections`
    : `check that the server is running and accepts TCP connections on ${target.host}:${target.port} (pg_isready -h ${target.host} -p ${target.port}), and the host and port in SRO_STORE`;
  return new StoreUnavailableError(`cannot use ${where}: ${err.message || code}; ${advice}`, { cause: err });
}

/** Thrown inside the append transaction when a stream head moved under it; mapped after ROLLBACK. */
export class HeadConflict extends Error {
  constructor(readonly stream: string) {
    super(`the head of stream ${stream} changed during the append`);
  }
}

/**
 * After ROLLBACK: a moved head or a unique violation as the port's errors, unstorable text as a
 * TypeError, connection failures explained; anything else as it is. `stored` holds the heads the
 * append read under its stream locks; `lookup` runs on the append's own connection when it is
 * still usable (a full pool cannot make it wait).
 */
export async function mapAppendError(
  err: unknown,
  plans: ValidatedRequest[],
  stored: Map<string, { revision: number }>,
  lookup: Query,
  target: Target,
): Promise<unknown> {
  const code = sqlState(err);
  const storedRevision = async (stream: string): Promise<number | 'no_stream'> =>
    (await lookup<{ revision: number | null }>('SELECT max(revision) AS revision FROM events WHERE stream = $1', [stream])).rows[0].revision ?? 'no_stream';
  const conflict = async (stream: string) => {
    const plan = plans.find((p) => p.stream === stream) ?? plans[0];
    return new WrongExpectedRevisionError(stream, plan.expectedRevision, await storedRevision(stream));
  };
  try {
    if (err instanceof HeadConflict) return await conflict(err.stream);
    if (code === '23505' && /event_id/.test((err as { constraint?: string }).constraint ?? '')) {
      const ids = plans.flatMap((p) => p.validated.map((v) => v.event.eventId));
      const { rows } = await lookup<{ event_id: string }>('SELECT event_id FROM events WHERE event_id = ANY($1::text[])', [ids]);
      const found = new Set(rows.map((r) => r.event_id));
      return new DuplicateEventIdError(ids.find((id) => found.has(id)) ?? ids[0]);
    }
    if (code === '23505') {
      // UNIQUE (stream, revision): a writer got past the stream lock. The conflict is on the
      // first stream that is no longer at the revision this append chained from.
      for (const plan of plans) {
        if (plan.validated.length === 0) continue;
        const actual = await storedRevision(plan.stream);
        if (actual !== (stored.get(plan.stream)?.revision ?? 'no_stream')) return new WrongExpectedRevisionError(plan.stream, plan.expectedRevision, actual);
      }
      return await conflict(plans[0].stream);
    }
  } catch (failed) {
    return connectionError(failed, target) ?? failed;
  }
  if (code === '22P05' || code === '22021' || code === '22P02') {
    return new TypeError(`an event cannot be stored by PostgreSQL (${(err as Error).message}): NUL characters and unpaired surrogates are not allowed`);
  }
  return connectionError(err, target) ?? err;
}
