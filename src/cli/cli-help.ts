/** The command line's usage and each command's parser, from one synopsis per command (docs/reference.md#command-line). */
import { Command, Option } from 'commander';

/**
 * Each command's synopsis (its options, as `--name <value>`, `[--optional <value>]`, `[--flag]`,
 * and a positional `<file>`) and what it does. The synopsis is the one source of the parser:
 * commander is given exactly these options, so the usage cannot drift from what is accepted. To
 * add a flag (e.g. `import`'s `[--dry-run]`), add it to the synopsis and read `options['dry-run']`.
 */
export const SPECS: Record<string, { synopsis: string; about?: string[] }> = {
  'agency create': { synopsis: '--id <agencyId> --name <name>' },
  'agency public': { synopsis: '--agency <agencyId> --on|--off', about: ['(the public page /public/<agencyId>: off by default)'] },
  'token create': { synopsis: '--agency <agencyId> --role <admin|auditor|chief|investigator> --name <label>' },
  'token revoke': { synopsis: '--agency <agencyId> --name <label> [--reason <text>]' },
  'token list': { synopsis: '--agency <agencyId> [--csv]', about: ["(the agency's tokens)"] },
  'user invite': {
    synopsis: '--agency <agencyId> --role <admin|auditor|chief|investigator> --email <email> --name <name>',
    about: ["(a person's console account; prints the one-time link, valid 24 hours)"],
  },
  'user reset': { synopsis: '--agency <agencyId> --email <email>', about: ['(a new one-time sign-in link for a forgotten password)'] },
  'user role': { synopsis: '--agency <agencyId> --email <email> --role <role>' },
  'user disable': { synopsis: '--agency <agencyId> --email <email> [--reason <text>]' },
  'user enable': { synopsis: '--agency <agencyId> --email <email>' },
  'user list': { synopsis: '--agency <agencyId> [--csv]' },
  'user calendar': { synopsis: '--agency <agencyId> --email <email> [--replace]', about: ["(prints the person's calendar feed address on its last line; --replace: a new one, the old answers 404)"] },
  'idp add': {
    synopsis: '--agency <id> --name <label> --issuer <url> --client-id <id> --client-secret <secret> [--groups-claim <claim>] --role <group>=<role> [--role ...]',
    about: ["(an OpenID Connect provider for the agency's sign-in; the secret is sealed, never shown again)"],
  },
  'idp list': { synopsis: '--agency <id> [--csv]' },
  'idp remove': { synopsis: '--agency <id> --name <label>' },
  'idp passwords': { synopsis: '--agency <id> [--on] [--off]', about: ['(whether people may still sign in with a password once a provider works)'] },
  import: {
    synopsis: '<file.csv> --agency <agencyId> [--dry-run] [--by-row]',
    about: ['(one write per row, the whole file or nothing; --dry-run: check only;', ' --by-row: record the good rows in batches; see README "Importing a CSV")'],
  },
  status: { synopsis: '--agency <agencyId> [--officer <officerId>] [--as-of <YYYY-MM-DD>] [--known-at <instant>] [--csv]' },
  reminders: { synopsis: '--agency <agencyId> [--as-of <YYYY-MM-DD>] [--known-at <instant>] [--horizon-days <n>] [--csv]' },
  history: { synopsis: '--agency <agencyId> --officer <officerId> [--known-at <instant>] [--csv]' },
  'witness add': { synopsis: '--agency <agencyId> --name <name> --email <email>', about: ["(someone outside the agency who receives the ledger's signed checkpoint by e-mail, at most once a day)"] },
  'witness list': { synopsis: '--agency <agencyId> [--csv]' },
  'witness remove': { synopsis: '--agency <agencyId> --email <email>' },
  'witness send': { synopsis: '--agency <agencyId>', about: ["(give the witnesses the latest checkpoint now; one message a day each, none for a copy they hold)"] },
  notify: { synopsis: '--agency <agencyId>', about: ["(send today's reminder digest by e-mail now; a second run the same day sends nothing)"] },
  verify: {
    synopsis: '[--checkpoint <file>] [--public-key <verifier key>]',
    about: [
      '(every chain, head, roster, position, the Merkle tree against the',
      ' latest signed checkpoint and the read models; --checkpoint: also',
      ' prove that the log extends a checkpoint kept elsewhere; exit 1 if broken)',
    ],
  },
  checkpoint: { synopsis: '', about: ['(sign a checkpoint of the ledger now, if it has new events; prints it)'] },
  'keys init': { synopsis: '', about: ['(create the ledger signing key, SRO_KEY_FILE, mode 0600; prints the verifier key)'] },
  'keys show': { synopsis: '', about: ["(print the verifier key that checks this ledger's checkpoints)"] },
  'proof inclusion': { synopsis: '--event <eventId> --agency <agencyId> [--tree-size <n>]' },
  'proof consistency': { synopsis: '--from <n> [--to <n>]', about: ['(RFC 9162 proofs, JSON)'] },
  evidence: {
    synopsis: '--agency <agencyId> [--as-of <YYYY-MM-DD>] [--known-at <instant>] --out <file>',
    about: ['(the evidence packet, a zip: report, events, checkpoint, proofs)'],
  },
  'verify-evidence': {
    synopsis: '<file.zip> [--public-key <verifier key>]',
    about: ['(checks a packet offline, no store needed; exit 1 names the first failure)'],
  },
  rebuild: { synopsis: '[--projection <name>]', about: ['(rebuild read models from position 0; resumes an interrupted rebuild)'] },
  serve: { synopsis: '[--port <port>] [--demo]', about: ['(PORT, HOST; default 127.0.0.1:3000; --demo: on memory:, a demo agency to sign in to)'] },
};

/** What each option means, in every command's --help. */
export const OPTION_HELP: Record<string, string> = {
  id: 'the agency ID: 1-64 letters, digits, ".", "_" or "-"',
  name: 'a name (for a token: its label, what its writes are recorded by)',
  agency: 'the agency ID',
  role: 'the role',
  email: "the person's email address",
  reason: 'why (recorded with the event)',
  officer: 'the officer ID',
  'as-of': 'the day the answer is for (Minnesota date; default today in America/Chicago)',
  'known-at': 'the instant the records are read as of (ISO-8601 with a time zone; default now)',
  'horizon-days': 'how many days ahead reminders look (0 to 3650, default 60)',
  csv: 'print CSV instead of JSON',
  checkpoint: 'a signed checkpoint kept elsewhere, to prove the log extends it',
  'public-key': "the verifier key that checks it (default this ledger's)",
  event: 'the event ID',
  'tree-size': 'the tree size to prove against (default the latest checkpoint)',
  from: 'the older tree size',
  to: 'the newer tree size (default the latest checkpoint)',
  projection: 'only this read model',
  port: 'the port to listen on (default PORT, 3000)',
  demo: 'with SRO_STORE=memory: only: seed a demo agency with three officers and print how to sign in',
  out: 'the file to write (replaced only once it is whole)',
  'dry-run': 'check every row as its write would, and record nothing',
  replace: 'issue a new address; the old one stops working',
  issuer: "the provider's issuer URL (https://...; discovery at <issuer>/.well-known/openid-configuration)",
  'client-id': 'the client (application) ID the provider gave',
  'client-secret': 'the client secret the provider gave (sealed at once; never printed)',
  'groups-claim': 'the ID token claim listing the person\'s groups (default groups; Entra app roles: roles)',
  on: 'turn it on (agency public: the public page; idp passwords: people of the agency may sign in with a password)',
  off: 'turn it off (agency public: the page answers 404; idp passwords: sign-in through the identity provider only)',
  'by-row': 'record each good row (in batches of 2,000 events) and report the bad ones, instead of the whole file or nothing',
};

export const PROGRAM = 'sro-compliance';
export const COMMENT_COLUMN = 44;

/** The usage of every command (`--help`), one synopsis a line with its explanation in parentheses. */
export function usage(): string {
  const lines = [`usage: ${PROGRAM} <command> [options]     (store: SRO_STORE, default sqlite:./data/sro.db)`, ''];
  for (const [key, spec] of Object.entries(SPECS)) {
    const synopsis = `  ${key}${spec.synopsis ? ` ${spec.synopsis}` : ''}`;
    const about = spec.about ?? [];
    if (about.length === 0) lines.push(synopsis);
    else if (synopsis.length + 2 <= COMMENT_COLUMN) lines.push(synopsis.padEnd(COMMENT_COLUMN) + about[0], ...about.slice(1).map((l) => ' '.repeat(COMMENT_COLUMN) + l));
    else lines.push(synopsis, ...about.map((l) => ' '.repeat(COMMENT_COLUMN) + l));
  }
  lines.push(
    '',
    `${PROGRAM} <command> --help shows a command's options. asOf defaults to today in America/Chicago, knownAt to now.`,
    'Output is JSON; with --csv, CSV (status, reminders, history, token list, user list). Exit code 0 ok, 1 refused or failed, 2 a usage mistake.',
  );
  return `${lines.join('\n')}\n`;
}

/** One command's parser, built from its synopsis: only its own options are accepted. */
export function commandParser(key: string, out: { log: (s: string) => void; err: (s: string) => void }): Command {
  const spec = SPECS[key];
  const command = new Command(`${PROGRAM} ${key}`)
    .usage(spec.synopsis || '')
    .description((spec.about ?? []).map((l) => l.trim()).join(' ').replace(/^\(|\)$/g, ''))
    .helpOption('-h, --help', 'show this help')
    .allowExcessArguments(false)
    .exitOverride()
    .showHelpAfterError(true)
    .configureOutput({ writeOut: (s) => out.log(s.trimEnd()), writeErr: (s) => out.err(s.trimEnd()) });
  const positional = /^<([^>]+)>/.exec(spec.synopsis);
  if (positional) command.argument(`[${positional[1]}]`);
  const added = new Set<string>();
  for (const m of spec.synopsis.matchAll(/\[?--([a-z-]+)(?: <([^>]+)>)?\]?/g)) {
    const [, name, value] = m;
    if (added.has(name)) continue;
    added.add(name);
    const option = new Option(value ? `--${name} <${value}>` : `--${name}`, OPTION_HELP[name] ?? name);
    // `[--name ...]` after `--name <value>`: the option may be given again, and its values are collected (idp add's --role).
    if (value && spec.synopsis.includes(`[--${name} ...]`)) option.argParser((v: string, previous: unknown) => [...((previous as string[] | undefined) ?? []), v]);
    command.addOption(option);
  }
  return command;
}
