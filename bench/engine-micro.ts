/**
 * Engine micro-benchmark (no store, no Nest): the generator's officers as in-memory ledgers,
 * then officerStatus for each at one asOf, knownAt now and past. For profiling projections/:
 * `node --cpu-prof dist/bench/engine-micro.js [officers]`.
 */
import { randomUUID } from 'node:crypto';
import { agencyPlans, DEFAULT_SEED, firstPass, secondPass } from './generate';
import { officerStatus, type LedgerEvent, type OfficerLedger } from '../projections';
import { IMPORT_COMMANDS, type ImportCommand } from '../src/import/bulk-import';
import { idempotentEventId } from '../src/write/new-events';

function ledgers(officers: number): OfficerLedger[] {
  const [agency] = agencyPlans(officers);
  const agencyEvents: LedgerEvent[] = [];
  const byOfficer = new Map<string, LedgerEvent[]>();
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const add = (c: ImportCommand) => {
    const spec = IMPORT_COMMANDS[c.command];
    const body = c.body as Record<string, unknown>;
    const input = { ...body, assignmentId: c.assignmentId ?? body.assignmentId, trainingId: c.trainingId ?? body.trainingId };
    const officerId = (c.officerId ?? body.officerId) as string;
    const event = (spec.decision.event as (i: unknown, t: unknown) => { type: string; data: unknown })(input, { agencyId: agency.agencyId, officerId });
    const e: LedgerEvent = {
      eventId: c.idempotencyKey ? idempotentEventId(agency.agencyId, c.idempotencyKey) : randomUUID(),
      type: event.type,
      data: JSON.parse(JSON.stringify(event.data)),
      recordedAt: new Date((clock += 7)).toISOString(),
      recordedBy: 'micro',
    };
    if (spec.scope === 'agency') agencyEvents.push(e);
    else byOfficer.set(officerId, [...(byOfficer.get(officerId) ?? []), e]);
  };
  for (const c of firstPass(DEFAULT_SEED, 0, agency)) add(c);
  clock += 1000;
  for (const c of secondPass(DEFAULT_SEED, 0, agency)) add(c);
  return [...byOfficer].map(([officerId, officerEvents]) => ({ officerId, name: officerId, officerEvents, agencyEvents }));
}

const officers = Number(process.argv[2] ?? 25_000);
const all = ledgers(officers);
const events = all.reduce((n, l) => n + l.officerEvents.length, 0);
const past = new Date(Date.parse('2026-01-01T00:00:00Z') + (events * 7) / 2).toISOString();
for (const knownAt of [new Date().toISOString(), past, new Date().toISOString(), past]) {
  const start = process.hrtime.bigint();
  for (const l of all) officerStatus(l, '2027-03-01', knownAt);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(`${all.length} officers (${events} events), knownAt ${knownAt}: ${ms.toFixed(0)} ms, ${((ms * 1000) / all.length).toFixed(1)} µs/officer`);
}
