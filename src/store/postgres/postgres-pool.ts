/**
 * Every PostgreSQL pool of the server (the event store, the read models, the access log) is made
 * here, so that a connection the server ends never takes the process down (docs/decisions.md W40).
 *
 * pg-pool listens for a connection's 'error' only while the connection is idle in the pool. A
 * connection checked out with `pool.connect()` (an append, a read-model commit, between two
 * statements of one transaction) whose session is ended (pg_terminate_backend: SQLSTATE 57P01, a
 * restart, a failover) emits 'error' with nobody listening: Node then throws it, and the process
 * dies. Here every connection has a listener from the moment it connects, for its whole life: the
 * error is not lost, since the query that was running (or the next one) fails with it and is
 * answered as StoreUnavailableError (postgres-errors.ts), and pg-pool destroys a connection
 * released broken instead of lending it again.
 */
import { Pool, type PoolConfig } from 'pg';

const ignore = (): void => undefined;

export function guardedPool(config: PoolConfig): Pool {
  const pool = new Pool(config);
  // An idle connection that breaks is dropped by the pool; its error is already reported to nobody.
  pool.on('error', ignore);
  pool.on('connect', (client) => client.on('error', ignore));
  return pool;
}
