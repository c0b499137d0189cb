import path from 'node:path';

/**
 * A server's ledger file (PostgreSQL, EventStoreDB): `./data/<kind>.<database>@<host>-<port>.<ext>`,
 * so that two databases used from one directory never share a checkpoint log (each would take
 * the other's checkpoints for a rewrite of its own log). A URL without `//` has no place
 * (undefined): its key is a temporary one, as memory:'s.
 */
export function serverFile(url: string, kind: 'ledger-key' | 'access-log', ext: 'pem' | 'db', cwd = process.cwd()): string | undefined {
  if (!/^[A-Za-z+]+:\/\//.test(url)) return undefined;
  let where = 'server';
  try {
    const parsed = new URL(url);
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'default';
    where = `${database}@${parsed.hostname || 'localhost'}-${parsed.port || 'default'}`;
  } catch {
    // a malformed URL is refused by the store; the name only needs to be a file name
  }
  return path.resolve(cwd, 'data', `${kind}.${where.replace(/[^A-Za-z0-9._@-]/g, '_')}.${ext}`);
}
