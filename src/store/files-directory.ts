/**
 * Certificate files in a directory instead of the database (SRO_FILES_DIR; always for
 * EventStoreDB, which keeps events only): a decorator of any event store. A file is written under
 * its SHA-256 (a temporary name, fsync, rename, fsync of the directory) before the events that
 * reference it are appended, so an acknowledged event never lacks its file; a refused or failed
 * append leaves an unreferenced file, which nothing reads (capabilities.filesInTransaction is
 * false). The bytes are never trusted on read: the reader recomputes the hash.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NewEvent } from '../../events/envelope';
import { validateFiles } from './append-support';
import type { AppendRequest, AppendResult, EventStore, ExpectedRevision, NewFile, StoreCapabilities } from './event-store.port';

const NAME = /^[0-9a-f]{64}$/;

export class FilesDirectory {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  write(files: NewFile[]): void {
    for (const file of files) {
      const target = join(this.dir, file.sha256);
      if (existsSync(target)) continue;
      const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
      const fd = openSync(temporary, 'wx', 0o600);
      try {
        writeSync(fd, file.bytes);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, target);
    }
    if (files.length > 0) {
      const dirFd = openSync(this.dir, 'r');
      try {
        fsyncSync(dirFd);
      } finally {
        closeSync(dirFd);
      }
    }
  }

  read(sha256: string): Buffer | undefined {
    if (!NAME.test(sha256)) return undefined;
    try {
      return readFileSync(join(this.dir, sha256));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  names(): string[] {
    return readdirSync(this.dir).filter((n) => NAME.test(n)).sort();
  }
}

/** The store with its files kept in `dir`. */
export function withFilesDirectory(store: EventStore, dir: string): EventStore {
  const files = new FilesDirectory(dir);
  const capabilities: StoreCapabilities = { ...store.capabilities, filesInTransaction: false };
  const strip = (batch: AppendRequest[]): AppendRequest[] => batch.map(({ files: _files, ...request }) => request);
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'capabilities') return capabilities;
      if (property === 'appendToStream') {
        return async (stream: string, events: NewEvent[], options: { expectedRevision: ExpectedRevision; files?: NewFile[] }): Promise<AppendResult> => {
          files.write(validateFiles(options?.files));
          return target.appendToStream(stream, events, { expectedRevision: options?.expectedRevision });
        };
      }
      if (property === 'appendMany') {
        return async (batch: AppendRequest[]): Promise<AppendResult[]> => {
          if (Array.isArray(batch)) files.write(batch.flatMap((r) => validateFiles(r?.files)));
          return target.appendMany(Array.isArray(batch) ? strip(batch) : batch);
        };
      }
      if (property === 'readFile') return async (sha256: string) => files.read(sha256);
      if (property === 'listFiles') {
        return async function* () {
          for (const sha256 of files.names()) {
            const bytes = files.read(sha256);
            if (bytes) yield { sha256, bytes };
          }
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
