/**
 * Runs the CLI's `main(argv)` (src/cli/main.ts) in the test's own process, as `runCli` runs the
 * built file in a child: the same environment, the output of the run and its exit code. `main`
 * returns the exit code and the file's entry point only passes it to process.exit, so nothing in
 * src changes for this (docs/decisions.md W46). For what only a process shows (stdout being a file,
 * the working folder, a server that keeps running), use test/support/cli-process.ts.
 */
import { format } from 'node:util';
import { main } from '../../src/cli/main';

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** One run at a time: the environment and the console are the process's own. */
let busy = false;

export async function runMain(env: NodeJS.ProcessEnv, ...args: string[]): Promise<CliRun> {
  if (busy) throw new Error('runMain: one CLI run at a time (it sets process.env and captures the console)');
  busy = true;
  const savedEnv = { ...process.env };
  const out: string[] = [];
  const err: string[] = [];
  const spies = [
    jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(`${format(...a)}\n`)),
    jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(`${format(...a)}\n`)),
    jest.spyOn(console, 'warn').mockImplementation((...a: unknown[]) => void err.push(`${format(...a)}\n`)),
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(chunk.toString()), true)),
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(chunk.toString()), true)),
  ];
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  Object.assign(process.env, env);
  let status: number;
  try {
    status = await main(args);
  } catch (error) {
    // As the entry point: an error main did not turn into a message is printed whole, exit 1.
    console.error(error);
    status = 1;
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
    for (const spy of spies) spy.mockRestore();
    busy = false;
  }
  return { status, stdout: out.join(''), stderr: err.join('') };
}
