// usage: node bench/probes/pg-append-server-time.cjs (after npx tsc -b tsconfig.build.json): a store of 20,000 events, then 2,000 one-event appends; prints the wall and client CPU per append, sro_append's server time per call (track_functions) and a raw single-row INSERT
const { Client } = require('pg');
const { PostgresEventStore } = require('../../dist/src/store/postgres/postgres-event-store.js');
const { randomUUID } = require('node:crypto');
(async () => {
  const admin = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' }); await admin.connect();
  const name = 'pgfn_' + process.pid;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.query(`ALTER DATABASE ${name} SET track_functions = 'all'`);
  const url = `postgres://postgres@127.0.0.1:5432/${name}`;
  const store = await PostgresEventStore.open(url);
  const ev = (n) => ({ eventId: randomUUID(), type: 'T', schemaVersion: 1, data: { n, note: 'alpha bravo charlie', d: '2025-01-01' }, metadata: { recordedBy: 'b', correlationId: 'c' } });
  for (let s = 0; s < 500; s++) await store.appendToStream(`s-${s}`, Array.from({ length: 40 }, (_, i) => ev(i)), { expectedRevision: 'no_stream' });
  const c = new Client({ connectionString: url }); await c.connect();
  await c.query('SELECT pg_stat_reset()');
  const N = 2000; const t0 = process.hrtime.bigint(); const cpu0 = process.cpuUsage();
  for (let k = 0; k < N; k++) await store.appendToStream(`s-${k % 500}`, [ev(k)], { expectedRevision: 'any' });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6 / N; const cpu = process.cpuUsage(cpu0);
  await new Promise((r) => setTimeout(r, 600));
  const { rows } = await c.query('SELECT funcname, calls, total_time, self_time FROM pg_stat_user_functions');
  console.log({ wallMsPerAppend: wall.toFixed(3), clientCpuMsPerAppend: ((cpu.user + cpu.system) / 1000 / N).toFixed(3), fn: rows.map((r) => ({ ...r, perCallMs: (r.total_time / r.calls).toFixed(3) })) });
  const raw = await c.query("SELECT count(*) FROM events"); console.log(raw.rows);
  // raw single-row insert for comparison
  await c.query('CREATE TABLE raw (id bigserial primary key, event_id text, data jsonb)');
  const t1 = process.hrtime.bigint();
  for (let k = 0; k < N; k++) await c.query('INSERT INTO raw (event_id, data) VALUES ($1, $2)', [randomUUID(), JSON.stringify({ k })]);
  console.log({ rawMsPerInsert: (Number(process.hrtime.bigint() - t1) / 1e6 / N).toFixed(3) });
  await c.end(); await store.close();
  await admin.query(`DROP DATABASE ${name}`); await admin.end();
})();
