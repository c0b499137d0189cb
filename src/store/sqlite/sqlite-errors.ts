/**
 * The SQLite adapter's reading of better-sqlite3's errors.
 */

/**
 * A UNIQUE or PRIMARY KEY violation. By code alone, not instanceof: an error made by the native
 * addon can come from another realm (jest's sandbox), where neither SqliteError nor Error is the
 * class seen here.
 */
export function isUniqueViolation(err: unknown): err is Error & { code: string } {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
