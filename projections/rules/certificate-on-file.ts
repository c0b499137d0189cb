/**
 * CERTIFICATE_ON_FILE (SPEC §3): for an SRO (or a substitute past 60 days) with a qualifying
 * course, the most recent qualifying course completed on or before D has a CertificateFiled with
 * filedOn ≤ D; VIOLATED otherwise (due: that course's completedOn). NOT_APPLICABLE without a
 * qualifying course. Several courses completed on the latest date: a certificate for any of them.
 */
import type { DayContext } from '../context';
import { qualifyingBy } from '../context';
import type { Finding } from '../types';
import { finding, noTrainingDuty } from './common';

export const id = 'CERTIFICATE_ON_FILE' as const;
export const citation = 'policy "Training" (chief keeps the latest certificate)';

export function evaluate(ctx: DayContext): Finding {
  if (!ctx.training) return noTrainingDuty(id, citation, ctx);
  const courses = qualifyingBy(ctx.facts, ctx.day);
  if (courses.length === 0) return finding(id, citation, 'NOT_APPLICABLE', `No qualifying course completed by ${ctx.day}.`);
  const latestDate = courses[courses.length - 1].completedOn;
  const latest = courses.filter((c) => c.completedOn === latestDate);
  for (const c of latest) {
    const cert = c.certificates.find((f) => f.filedOn <= ctx.day);
    if (cert) {
      return finding(
        id,
        citation,
        'MET',
        `Certificate for the most recent qualifying course ${c.course} (training ${c.trainingId}, completed ${c.completedOn}) filed ${cert.filedOn}.`,
        [c.eventId, cert.eventId],
      );
    }
  }
  const c = latest[0];
  return finding(
    id,
    citation,
    'VIOLATED',
    `No certificate filed by ${ctx.day} for the most recent qualifying course ${c.course} (training ${c.trainingId}, completed ${c.completedOn}).`,
    latest.map((x) => x.eventId),
    c.completedOn,
  );
}
