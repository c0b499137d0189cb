// usage: node bench/probes/pg-append-probe.cjs: round trips of SELECT 1, an empty plpgsql call, an sro_append probe (checks, no write) and a raw INSERT with COMMIT
const { Client } = require('pg');
const { PostgresEventStore } = require('../../dist/src/store/postgres/postgres-event-store.js');
(async () => {
  const admin = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' }); await admin.connect();
  const name = 'pgprobe_' + process.pid;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = `postgres://postgres@127.0.0.1:5432/${name}`;
  const store = await PostgresEventStore.open(url); await store.close();
  const c = new Client({ connectionString: url }); await c.connect();
  const CALL = `SELECT sro_append($1::bigint[], $2::text[], $3::int[], $4::text[], $5::int[], $6::text[], $7::text[], $8::bigint, $9::text, $10::bigint, $11::text, $12::boolean, $13::boolean,
  $14::text[], $15::text[], $16::int[], $17::text[], $18::int[], $19::text[], $20::text[], $21::text[], $22::text[], $23::text[], $24::text[]) AS reply`;
  const params = [['1'], ['s'], [-1], [null], [-1], [null], [null], -1, '', 0, '[]', true, true, [], [], [], [], [], [], [], [], [], [], []];
  const time = async (label, f) => { for (let i = 0; i < 300; i++) await f(); const t = process.hrtime.bigint(); for (let i = 0; i < 3000; i++) await f(); console.log(label, (Number(process.hrtime.bigint() - t) / 1e6 / 3000).toFixed(3), 'ms'); };
  await c.query('CREATE TABLE raw (id bigserial primary key, v text)');
  await c.query(`CREATE FUNCTION noop(a bigint[], b text[]) RETURNS json LANGUAGE plpgsql AS $$ BEGIN RETURN json_build_object('status','ok'); END $$`);
  await time('SELECT 1', () => c.query('SELECT 1'));
  await time('noop plpgsql', () => c.query('SELECT noop($1::bigint[], $2::text[])', [['1'], ['s']]));
  await time('sro_append probe', () => c.query(CALL, params));
  await time('raw insert (commit)', () => c.query('INSERT INTO raw (v) VALUES ($1)', ['x']));
  await c.end();
  await admin.query(`DROP DATABASE ${name}`); await admin.end();
})();
