/** Runs the built CLI as a user does: one-shot commands, and `serve` as a child process. */
import { ChildProcess, execFileSync, spawn, spawnSync, SpawnSyncReturns } from 'node:child_process';
import { join, resolve } from 'node:path';

export const root = resolve(__dirname, '../..');
const bin = join(root, 'dist/src/cli/main.js');

/** Compiles src/ into dist/ (incremental), as `npm start` does. */
export function buildCli(): void {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: root });
}

export function runCli(env: NodeJS.ProcessEnv, ...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
}

/** Starts a one-shot command without waiting for it (to kill it mid-way, as a crash would). */
export function spawnCli(env: NodeJS.ProcessEnv, ...args: string[]): ChildProcess {
  return spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The last line of stdout: where `token create` prints the token. */
export const lastLine = (result: SpawnSyncReturns<string>): string => result.stdout.trimEnd().split('\n').pop() ?? '';

/** Starts `serve --port 0` and resolves with its base URL once it listens. */
export async function startServer(env: NodeJS.ProcessEnv): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 20000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+\/api)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code ?? signal}):\n${output}`));
    });
  });
  return { url, child };
}
