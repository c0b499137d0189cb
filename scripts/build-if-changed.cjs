#!/usr/bin/env node
/**
 * `npm run cli` and `npm start` build dist/ first, but only when a source changed since the last
 * build: the newest modification time under src/, events/, projections/ and the build's own files
 * against dist/.tsbuildinfo. Nothing changed: no compiler is started (a run costs about the
 * CLI's own start). Something changed: `tsc -b` (incremental), then the stamp is renewed.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const stamp = path.join(root, 'dist', '.tsbuildinfo');
const inputs = ['src', 'events', 'projections', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function newest(file) {
  let stat;
  try {
    stat = fs.statSync(file);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = stat.mtimeMs; // a deleted or renamed file changes its directory
  for (const entry of fs.readdirSync(file)) max = Math.max(max, newest(path.join(file, entry)));
  return max;
}

const built = fs.existsSync(stamp) && fs.existsSync(path.join(root, 'dist', 'src', 'cli', 'main.js')) ? fs.statSync(stamp).mtimeMs : -1;
const changed = Math.max(...inputs.map((i) => newest(path.join(root, i))));
if (built < changed) {
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  const now = new Date();
  fs.utimesSync(stamp, now, now);
}
