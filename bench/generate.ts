/**
 * Deterministic benchmark data: N officers across four agencies (40/30/20/10 %), as the write
 * commands of the bulk import (src/import/bulk-import.ts), generated lazily (never the whole
 * data set in memory). Each officer's data comes from its own PRNG seeded by (seed, agency,
 * officer), so that the second pass (late-recorded facts and retractions, imported after the
 * first pass) can re-derive what the first pass wrote without keeping it.
 *
 * Per officer, about 40 events on average:
 * - 80 % SROs: registration; on half, two to four substitute days before the assignment; one or
 *   two assignments (the first ended in 40 % of cases, a second one then following it), a
 *   TrainingUnavailableDeclared on 10 %; an older SSC/NASRO course on 15 %; two to five
 *   qualifying courses (a basic course, then refreshers), each with a certificate (90 %); one
 *   or two policy reviews;
 * - 20 % substitutes: registration, 20–90 distinct contact days in each of two to four school
 *   years (some days at two schools), a course and its certificate on most, a policy review;
 * - second pass, recorded after the first: on 15 % of officers a course completed long before
 *   (a late-recorded fact) with its certificate; on 6 % a retraction of an earlier certificate
 *   or policy review (the retracted events carry idempotency keys, so their ids are known).
 * Effective dates are spread over 2024–2030.
 */
import type { ImportCommand } from '../src/import/bulk-import';
import { idempotentEventId } from '../src/write/new-events';

export const DEFAULT_SEED = 20251023;
export const AGENCY_SHARES = [0.4, 0.3, 0.2, 0.1] as const;

export interface AgencyPlan {
  agencyId: string;
  name: string;
  officers: number;
}

/** The four agencies and their officer counts (the first, largest, holds 40 %). */
export function agencyPlans(officers: number): AgencyPlan[] {
  const counts = AGENCY_SHARES.map((share) => Math.floor(officers * share));
  counts[0] += officers - counts.reduce((a, b) => a + b, 0);
  return counts.map((n, i) => ({ agencyId: `bench-pd-${i + 1}`, name: `Bench Police Department ${i + 1}`, officers: n }));
}

/** mulberry32: a small, fast, seedable PRNG (uniform in [0, 1)). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hashSeed = (...parts: number[]): number => parts.reduce((h, p) => Math.imul(h ^ p, 0x9e3779b1) >>> 0, 0x811c9dc5);

export const officerId = (n: number): string => `o${String(n).padStart(6, '0')}`;

const DAY_MS = 86_400_000;
const toDay = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS;
const fromDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
const FIRST_DAY = toDay('2024-01-01');
const LAST_DAY = toDay('2030-12-31');
const clampDay = (d: number) => Math.min(LAST_DAY, Math.max(FIRST_DAY, d));

/**
 * The generated world's "today": its last effective date. The write side refuses facts dated
 * after today in Minnesota, so the data's importer passes this as ImportOptions.today.
 */
export const GENERATED_TODAY = fromDay(LAST_DAY);

/** The agency's policy versions (adopted on these dates). */
export const POLICY_VERSIONS = [
  { version: '2024-06', adoptedOn: '2024-06-15' },
  { version: '2025-10', adoptedOn: '2025-10-23' },
  { version: '2028-07', adoptedOn: '2028-07-01' },
];

const hex64 = (rand: () => number): string => {
  let s = '';
  for (let i = 0; i < 8; i++) s += Math.floor(rand() * 0x100000000).toString(16).padStart(8, '0');
  return s;
};

interface OfficerPlan {
  id: string;
  rand: () => number;
  int: (lo: number, hi: number) => number;
  pick: <T>(xs: readonly T[]) => T;
  chance: (p: number) => boolean;
}

function plan(seed: number, agencyIndex: number, n: number, pass: number): OfficerPlan {
  const rand = prng(hashSeed(seed, agencyIndex, n, pass));
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  return { id: officerId(n), rand, int, pick: (xs) => xs[Math.floor(rand() * xs.length)], chance: (p) => rand() < p };
}

const isSubstitute = (seed: number, agencyIndex: number, n: number) => prng(hashSeed(seed, agencyIndex, n, 99))() < 0.2;

/** Keys of the events pass 2 may retract: `${agency}:${officer}:${what}`. */
const keyOf = (agencyId: string, id: string, what: string) => `bench:${agencyId}:${id}:${what}`;

function* officerCommands(seed: number, agencyIndex: number, agencyId: string, n: number): Generator<ImportCommand> {
  const p = plan(seed, agencyIndex, n, 1);
  const officer = p.id;
  yield { command: 'RegisterOfficer', body: { officerId: officer, name: `Officer ${n} of ${agencyId}`, ...(p.chance(0.7) ? { licenseNumber: `L${100000 + n}` } : {}) } };
  const reviewVersion = (day: number) => [...POLICY_VERSIONS].reverse().find((v) => toDay(v.adoptedOn) <= day) ?? POLICY_VERSIONS[0];
  const training = function* (id: string, course: string, day: number): Generator<ImportCommand> {
    yield { command: 'RecordTraining', officerId: officer, body: { trainingId: id, course, completedOn: fromDay(day), ...(p.chance(0.5) ? { provider: 'MN POST approved provider' } : {}) } };
    if (p.chance(0.9)) {
      yield {
        command: 'FileCertificate',
        officerId: officer,
        trainingId: id,
        body: { sha256: hex64(p.rand), fileName: `${officer}-${id}.pdf`, filedOn: fromDay(clampDay(day + p.int(0, 60))) },
      };
    }
  };

  if (isSubstitute(seed, agencyIndex, n)) {
    const years = p.pick([2, 2, 3, 3, 4]);
    const firstYear = p.int(2024, 2030 - years);
    for (let y = firstYear; y < firstYear + years; y++) {
      // School days: Sept 1 .. May 31, weekdays.
      const days: number[] = [];
      for (let d = toDay(`${y}-09-01`); d <= toDay(`${y + 1}-05-31`); d++) if ((d + 4) % 7 < 5) days.push(d);
      const count = p.int(20, 90);
      // A random subset of `count` days, in date order (selection sampling).
      let needed = count;
      for (let i = 0; i < days.length && needed > 0; i++) {
        if (p.rand() * (days.length - i) < needed) {
          needed--;
          const date = fromDay(days[i]);
          yield { command: 'RecordSubstituteDay', officerId: officer, body: { date, school: `School ${p.int(1, 40)}` } };
          if (p.chance(0.03)) yield { command: 'RecordSubstituteDay', officerId: officer, body: { date, school: `School ${p.int(41, 60)}` } };
        }
      }
    }
    if (p.chance(0.8)) yield* training('t1', p.pick(['MN_SRO_BASIC', 'MN_SRO_SUPPLEMENTAL']), clampDay(toDay(`${firstYear}-08-01`) + p.int(-120, 300)));
    const reviewDay = clampDay(toDay(`${firstYear}-08-15`) + p.int(-30, 60));
    yield { command: 'RecordPolicyReview', officerId: officer, body: { version: reviewVersion(reviewDay).version, reviewedOn: fromDay(reviewDay) }, idempotencyKey: keyOf(agencyId, officer, 'review-1') };
    return;
  }

  const start = p.int(FIRST_DAY, toDay('2029-06-30'));
  if (p.chance(0.5)) {
    // A few substitute days in the weeks before the assignment.
    for (let d = start - p.int(20, 60), n = p.int(2, 4); n > 0; n--, d += p.int(3, 9)) {
      yield { command: 'RecordSubstituteDay', officerId: officer, body: { date: fromDay(clampDay(d)), school: `School ${p.int(1, 40)}` } };
    }
  }
  yield { command: 'AssignOfficer', officerId: officer, body: { assignmentId: 'a1', schools: [`School ${p.int(1, 40)}`], startDate: fromDay(start) } };
  if (p.chance(0.1)) yield { command: 'DeclareTrainingUnavailable', officerId: officer, assignmentId: 'a1', body: { declaredOn: fromDay(start), reason: 'No Board-approved course offered before the start date' } };
  if (p.chance(0.15)) yield* training('legacy', p.pick(['SSC_BASIC', 'NASRO_BASIC']), toDay('2023-06-01') + p.int(0, 800));
  const courses = p.int(2, 5);
  let day = start + p.int(-200, 150);
  for (let i = 1; i <= courses && day <= LAST_DAY; i++) {
    yield* training(`t${i}`, i === 1 ? p.pick(['MN_SRO_BASIC', 'MN_SRO_SUPPLEMENTAL']) : 'MN_SRO_REFRESHER', clampDay(day));
    day += p.int(700, 1200);
  }
  // Never before the first version's adoption: a review of a version before it was adopted is refused.
  const reviewDay = Math.max(clampDay(start + p.int(-60, 30)), toDay(POLICY_VERSIONS[0].adoptedOn));
  yield { command: 'RecordPolicyReview', officerId: officer, body: { version: reviewVersion(reviewDay).version, reviewedOn: fromDay(reviewDay) }, idempotencyKey: keyOf(agencyId, officer, 'review-1') };
  if (p.chance(0.8)) {
    const later = clampDay(reviewDay + p.int(200, 1500));
    yield { command: 'RecordPolicyReview', officerId: officer, body: { version: reviewVersion(later).version, reviewedOn: fromDay(later) } };
  }
  if (p.chance(0.4)) {
    const end = clampDay(start + p.int(180, 900));
    yield { command: 'EndAssignment', officerId: officer, assignmentId: 'a1', body: { endDate: fromDay(end) } };
    if (p.chance(0.6) && end + 60 <= LAST_DAY) {
      yield { command: 'AssignOfficer', officerId: officer, body: { assignmentId: 'a2', schools: [`School ${p.int(1, 40)}`, `School ${p.int(41, 60)}`], startDate: fromDay(end + p.int(1, 60)) } };
    }
  }
}

/** The second pass for one officer: facts recorded long after they happened, and retractions. */
function* lateCommands(seed: number, agencyIndex: number, agencyId: string, n: number): Generator<ImportCommand> {
  const p = plan(seed, agencyIndex, n, 2);
  const officer = p.id;
  if (p.chance(0.15)) {
    const day = toDay('2024-01-01') + p.int(0, 600);
    yield { command: 'RecordTraining', officerId: officer, body: { trainingId: 'late-1', course: 'MN_SRO_REFRESHER', completedOn: fromDay(day) } };
    yield { command: 'FileCertificate', officerId: officer, trainingId: 'late-1', body: { sha256: hex64(p.rand), fileName: `${officer}-late.pdf`, filedOn: fromDay(day + p.int(0, 30)) } };
  }
  if (p.chance(0.06)) {
    // Retract the first policy review (every officer has one, with a known id through its key).
    yield { command: 'RetractOfficerEvent', officerId: officer, body: { eventId: idempotentEventId(agencyId, keyOf(agencyId, officer, 'review-1')), reason: 'recorded for the wrong officer' } };
  }
}

/** Agency-wide commands (the policy versions), then every officer's first-pass commands. */
export function* firstPass(seed: number, agencyIndex: number, agency: AgencyPlan): Generator<ImportCommand> {
  for (const v of POLICY_VERSIONS) yield { command: 'AdoptPolicy', body: v };
  for (let n = 1; n <= agency.officers; n++) yield* officerCommands(seed, agencyIndex, agency.agencyId, n);
}

/** The second pass, imported after the first: late-recorded facts and retractions. */
export function* secondPass(seed: number, agencyIndex: number, agency: AgencyPlan): Generator<ImportCommand> {
  for (let n = 1; n <= agency.officers; n++) yield* lateCommands(seed, agencyIndex, agency.agencyId, n);
}
