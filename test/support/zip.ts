/** Reading and writing zips in tests (the evidence packet): every entry in memory, in order. */
import { createHash } from 'node:crypto';
import * as yauzl from 'yauzl';
import { ZipFile } from 'yazl';

export function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, archive) => {
      if (error || !archive) return reject(error);
      const files = new Map<string, Buffer>();
      archive.on('end', () => resolve(files));
      archive.on('error', reject);
      archive.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) {
          files.set(entry.fileName, Buffer.alloc(0));
          return archive.readEntry();
        }
        archive.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            archive.readEntry();
          });
        });
      });
      archive.readEntry();
    });
  });
}

/** A zip of these files; with `manifest`, manifest.json recomputed over the others first (a forger's packet). */
export function zipOf(files: Map<string, Buffer>, options: { manifest?: boolean } = {}): Promise<Buffer> {
  const entries = new Map(files);
  if (options.manifest) {
    const hashes: Record<string, string> = {};
    for (const [name, bytes] of entries) if (name !== 'manifest.json' && !name.endsWith('/')) hashes[name] = createHash('sha256').update(bytes).digest('hex');
    entries.set('manifest.json', Buffer.from(JSON.stringify({ algorithm: 'SHA-256', files: hashes }, null, 2)));
  }
  const zip = new ZipFile();
  for (const [name, bytes] of entries) {
    if (name.endsWith('/')) zip.addEmptyDirectory(name);
    else zip.addBuffer(bytes, name);
  }
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}
