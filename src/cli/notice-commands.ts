/**
 * The command line's reminders by e-mail (docs/reference.md#command-line): `notify --agency <id>`
 * runs the agency's digest now (exactly as the daily schedule: a second run the same day sends
 * nothing) and prints what happened to each recipient as JSON; `user calendar --agency <id>
 * --email <email> [--replace]` prints the person's calendar feed address on its last line
 * (`--replace`: a new one; the old address answers 404 from then on).
 */
import { NoticeAccounts, NoticeDigest, NOTICE_OPTIONS, type NoticeOptions } from '../notices';
import { calendarUrl } from '../notices/notice-accounts';
import { Accounts } from '../auth/accounts';
import { NotFound } from '../write/refusals';
import { cliUser, identifier, printJson, required, requireAgency, withContext, type Options } from './cli-context';

export async function notify(options: Options): Promise<number> {
  const agencyId = identifier(options, 'agency');
  const report = await withContext(async (app) => {
    await requireAgency(app, agencyId);
    return app.get(NoticeDigest).runAgency(agencyId, undefined, { asCaller: true });
  });
  printJson(report);
  if (!report.smtpConfigured) console.error('SRO_SMTP_URL is not set: no e-mail was sent (README "Reminders by e-mail").');
  return report.recipients.some((r) => r.outcome === 'FAILED') ? 1 : 0;
}

export async function userCalendar(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const email = required(options, 'email').trim().toLowerCase();
  const replace = options.replace !== undefined;
  const url = await withContext(async (app) => {
    await requireAgency(app, agencyId);
    const account = (await app.get(Accounts).list(agencyId)).find((a) => a.email === email);
    if (!account) throw new NotFound([`Email: agency ${agencyId} has no account for ${email}`]);
    const secret = await app.get(NoticeAccounts).calendarSecret(account.userId, cliUser(), replace);
    return calendarUrl(app.get<NoticeOptions>(NOTICE_OPTIONS).publicUrl, secret);
  });
  console.log(`${replace ? 'A new calendar feed address' : 'The calendar feed address'} of ${email} (agency ${agencyId}); keep it secret${replace ? ', the old address no longer works' : ''}:`);
  console.log(url);
}
