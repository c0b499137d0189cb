/**
 * The command line's witnesses (docs/reference.md#command-line; docs/integrity.md "Witnesses"):
 * `witness add --agency <id> --name <name> --email <email>` names someone outside the agency who
 * receives the ledger's latest signed checkpoint by e-mail (at most once a day); `witness list
 * --agency <id>` lists them; `witness remove --agency <id> --email <email>` stops the messages;
 * `witness send --agency <id>` gives the checkpoint now (as the daily schedule: a witness already
 * given one today, or holding it, is sent nothing) and prints what happened to each as JSON.
 */
import { isEmailAddress, normaliseEmail } from '../auth/accounts';
import { AccessRegistry } from '../auth/access-registry';
import { plainTextProblem } from '../common/plain-text';
import { Invalid } from '../write/refusals';
import { WitnessCheckpoints } from '../witnesses';
import { cliUser, identifier, printJson, printRows, required, requireAgency, withContext, type Options } from './cli-context';

/** The longest witness name accepted (a person's name and title). */
const NAME_MAX = 200;

function witnessEmail(options: Options): string {
  const email = normaliseEmail(required(options, 'email'));
  if (!isEmailAddress(email)) throw new Invalid(['Email: enter an email address such as name@county.example.gov']);
  return email;
}

export async function witnessAdd(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const email = witnessEmail(options);
  const name = required(options, 'name').normalize('NFC');
  const problem = plainTextProblem(name);
  if (problem) throw new Invalid([`Name: ${problem}`]);
  if (name.length > NAME_MAX) throw new Invalid([`Name: must be at most ${NAME_MAX} characters`]);
  await withContext(async (app) => {
    await requireAgency(app, agencyId);
    await app.get(AccessRegistry).addWitness({ agencyId, email, name, recordedBy: cliUser() });
  });
  console.log(`${name} <${email}> is a witness of agency ${agencyId}: they receive the ledger's latest signed checkpoint by e-mail, at most once a day, from the next run of the daily reminders (or now: witness send --agency ${agencyId}).`);
}

export async function witnessList(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const witnesses = await withContext(async (app) => {
    await requireAgency(app, agencyId);
    return app.get(AccessRegistry).witnessesOf(agencyId);
  });
  printRows(options, ['email', 'name', 'addedAt', 'addedBy'], witnesses.map(({ email, name, addedAt, addedBy }) => ({ email, name, addedAt, addedBy })));
}

export async function witnessRemove(options: Options): Promise<void> {
  const agencyId = identifier(options, 'agency');
  const email = witnessEmail(options);
  await withContext(async (app) => {
    await requireAgency(app, agencyId);
    await app.get(AccessRegistry).removeWitness({ agencyId, email, recordedBy: cliUser() });
  });
  console.log(`${email} is no longer a witness of agency ${agencyId}: no more checkpoints are sent to them (the copies they hold stay valid).`);
}

export async function witnessSend(options: Options): Promise<number> {
  const agencyId = identifier(options, 'agency');
  const report = await withContext(async (app) => {
    await requireAgency(app, agencyId);
    return app.get(WitnessCheckpoints).runAgency(agencyId, new Date());
  });
  printJson(report);
  if (!report.smtpConfigured) console.error('SRO_SMTP_URL is not set: no e-mail was sent (README "Reminders by e-mail").');
  return report.witnesses.some((w) => w.outcome === 'FAILED') ? 1 : 0;
}
