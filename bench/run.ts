/**
 * `npm run bench [-- --quick] [-- --store sqlite|postgres] [-- --officers N]`: the benchmark
 * (docs/performance.md). Compiled by tsc (bench/tsconfig.json) and run with node: Nest needs the
 * decorator metadata that only tsc emits. Progress goes to stderr; the last line of stdout is
 * one JSON object with the figures.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { BenchStore, postgresBenchStore, runBench, sqliteBenchStore } from './measure';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      store: { type: 'string', default: 'sqlite' },
      officers: { type: 'string' },
      'http-seconds': { type: 'string', default: '10' },
      'postgres-url': { type: 'string' },
    },
  });
  const officers = values.officers ? Number(values.officers) : values.quick ? 2_500 : 25_000;
  if (!Number.isSafeInteger(officers) || officers < 4) throw new Error('--officers must be an integer >= 4');
  let store: BenchStore;
  if (values.store === 'sqlite') store = sqliteBenchStore();
  else if (values.store === 'postgres') {
    const base = values['postgres-url'] ?? process.env.SRO_BENCH_POSTGRES_URL ?? process.env.SRO_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    store = await postgresBenchStore(base);
  } else throw new Error('--store must be sqlite or postgres');
  const log = (s: string) => process.stderr.write(`[bench ${values.store}] ${s}\n`);
  log(`${officers} officers, store ${typeof store.store === 'string' ? store.store.replace(/:[^:@/]*@/, ':***@') : store.kind}`);
  try {
    const summary = await runBench({ store, officers, httpSeconds: Number(values['http-seconds']), log });
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await store.dispose();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
