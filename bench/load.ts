/**
 * The HTTP load generator, run as a child process of the benchmark (so that autocannon does not
 * share the server's event loop): autocannon against the officer status route, each request on
 * the next of a list of random officer paths (setupRequest), with a real bearer token.
 */
import { readFileSync } from 'node:fs';

interface LoadRequest {
  url: string;
  token: string;
  pathsFile: string;
  seconds: number;
  connections: number;
}

interface AutocannonResult {
  requests: { total: number };
  latency: { p99: number };
  duration: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (options: Record<string, unknown>) => Promise<AutocannonResult>;

process.once('message', async (message: LoadRequest) => {
  const paths = JSON.parse(readFileSync(message.pathsFile, 'utf8')) as string[];
  let next = 0;
  const result = await autocannon({
    url: message.url,
    connections: message.connections,
    duration: message.seconds,
    headers: { authorization: `Bearer ${message.token}` },
    requests: [{ method: 'GET', setupRequest: (req: Record<string, unknown>) => ({ ...req, path: paths[next++ % paths.length] }) }],
  });
  process.send!(
    { reqPerSec: result.requests.total / result.duration, p99Ms: result.latency.p99, non2xx: result.non2xx + result.errors + result.timeouts },
    () => process.exit(0),
  );
});
