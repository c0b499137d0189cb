/**
 * CERTIFICATE_ON_FILE (docs/reference.md#certificate_on_file): for an SRO (or a substitute past 60
 * days) with a Minnesota SRO course (coursesFor('REFRESHER'): any of the three, decision 23), the
 * most recent one completed on or before D has a CertificateFiled with filedOn ≤ D; VIOLATED
 * otherwise (due: that course's completedOn). NOT_APPLICABLE without one. Several completed on the
 * latest date: a certificate for any of them.
 */
import type { DayContext } from '../context';
import { coursesBy } from '../context';
import { STATUTE_START } from '../law';
import type { Finding } from '../types';
import { finding, namedTraining, noDates, noReminders, noRestriction, noTrainingDuty, requiredCourse, trainingPhrase, type ReminderContext, type RuleReminder } from './common';

export const id = 'CERTIFICATE_ON_FILE' as const;
export const citation = 'policy "Training" (chief keeps the latest certificate)';
export const inForceFrom = STATUTE_START;

/** Compares effective dates only (a course's completedOn, a certificate's filedOn). */
export const changeDates = noDates;
export const restrictedDuties = noRestriction;

export const reminderKinds = ['CERTIFICATE_MISSING'] as const;

/** The latest Minnesota SRO course has no certificate on file. */
export function reminders(f: Finding, { facts, asOf }: ReminderContext): RuleReminder[] {
  if (f.outcome !== 'VIOLATED') return [];
  const clock = coursesBy(facts, asOf, 'REFRESHER');
  const latest = clock.length > 0 ? clock[clock.length - 1] : undefined;
  return [{ kind: 'CERTIFICATE_MISSING', dueDate: f.dueDate!, action: `file the certificate of the most recent Minnesota SRO course${latest ? `, ${namedTraining(latest)}` : ''} (the chief keeps a copy)` }];
}
export const remindersBeforeDuty = noReminders;

export function evaluate(ctx: DayContext): Finding {
  if (!ctx.training) return noTrainingDuty(id, citation, ctx);
  const courses = coursesBy(ctx.facts, ctx.day, 'REFRESHER');
  if (courses.length === 0) return finding(id, citation, 'NOT_APPLICABLE', `No ${requiredCourse('REFRESHER').replace(/^an /, '')} completed by ${ctx.day}.`);
  const latestDate = courses[courses.length - 1].completedOn;
  const latest = courses.filter((c) => c.completedOn === latestDate);
  for (const c of latest) {
    const cert = c.certificates.find((f) => f.filedOn <= ctx.day);
    if (cert) {
      return finding(
        id,
        citation,
        'MET',
        `Certificate for the most recent Minnesota SRO course ${trainingPhrase(c)}, completed ${c.completedOn}, filed ${cert.filedOn}.`,
        [c.eventId, cert.eventId],
      );
    }
  }
  const c = latest[0];
  return finding(
    id,
    citation,
    'VIOLATED',
    `No certificate filed by ${ctx.day} for the most recent Minnesota SRO course ${trainingPhrase(c)}, completed ${c.completedOn}.`,
    latest.map((x) => x.eventId),
    c.completedOn,
  );
}
