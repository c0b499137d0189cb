/**
 * The SQLite file is readable by its owner only (0600), as the signing key is: it holds officers'
 * personnel records, accounts' password hashes and the access log (docs/decisions.md W36).
 * SQLite creates the -wal and -shm files with the database file's own permissions, so creating
 * the database file 0600 before SQLite opens it makes all three private; a file made by an older
 * version (0644) is narrowed when it is opened, where its owner runs the server.
 */
import fs from 'node:fs';

export const SQLITE_FILE_MODE = 0o600;

/** Creates the database file 0600 if it does not exist yet (before SQLite opens it), else narrows it to 0600. */
export function keepSqliteFilePrivate(file: string): void {
  if (file === ':memory:' || file === '') return;
  try {
    fs.closeSync(fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, SQLITE_FILE_MODE));
    fs.chmodSync(file, SQLITE_FILE_MODE); // O_CREAT's mode is narrowed by the umask, never widened; set it exactly
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  for (const name of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if ((fs.statSync(name).mode & 0o777) !== SQLITE_FILE_MODE) fs.chmodSync(name, SQLITE_FILE_MODE);
    } catch (error) {
      // Missing (-wal, -shm), or another user's file that this process may read but not change: left as it is.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'EPERM') throw error;
    }
  }
}
