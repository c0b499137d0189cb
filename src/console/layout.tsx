/**
 * The pieces every console page shares: the HTML document with its header and navigation, the
 * status and outcome badges (words and a data-status attribute, never colour alone), the "As of"
 * / "Known at" form and the sentence that states both times (docs/reference.md#web-console).
 * Rendered on the server with preact-render-to-string: JSX is type-checked by tsc and every text
 * and attribute is escaped by the renderer (decisions W20).
 */
import { createContext, type ComponentChildren, type VNode } from 'preact';
import { useContext } from 'preact/hooks';
import { renderToString } from 'preact-render-to-string';
import type { Role } from '../../events/access';
import type { Outcome, Status } from '../../projections';
import { navFor } from './nav';
import { dateInWords, instantInWords } from './time-words';

/** Who is signed in, as every page shows it. */
export interface Person {
  userId: string;
  agencyId: string;
  role: Role;
  name: string;
  email: string;
  /** Set when the ledger's last verification failed: every page then says so (docs/decisions.md W36). */
  ledgerAlarm?: { checkedAt?: string };
}

export const STATUS_WORDS: Record<Status, string> = {
  COMPLIANT: 'Compliant',
  CONDITIONAL: 'Conditional: a deadline is pending',
  NON_COMPLIANT: 'Not compliant',
  EXEMPT: 'Exempt (substitute)',
  NOT_ASSIGNED: 'Not assigned',
};

export const OUTCOME_WORDS: Record<Outcome | 'ADVISORY', string> = {
  ADVISORY: 'Advisory (should)',
  MET: 'Met',
  PENDING: 'Pending',
  VIOLATED: 'Violated',
  EXEMPT: 'Exempt',
  NOT_APPLICABLE: 'Not applicable',
};

export const ROLE_WORDS: Record<Role, string> = { admin: 'Admin (records clerk)', auditor: 'Auditor', chief: 'Chief', investigator: 'Investigator' };

const cls = (value: string) => value.toLowerCase().replace(/_/g, '-');

/**
 * An officer's status in words: "Conditional: restricted duties" only when there are restricted
 * duties (the six-month grace), else the status's own words (docs/decisions.md W33).
 */
export function statusWords(status: Status, restrictedDuties: readonly string[] = []): string {
  if (status === 'CONDITIONAL' && restrictedDuties.length > 0) return 'Conditional: restricted duties';
  return STATUS_WORDS[status] ?? status;
}

/** A status badge; give an officer's restrictedDuties so that the words say whether duties are restricted. */
export function StatusBadge({ status, restrictedDuties }: { status: Status; restrictedDuties?: readonly string[] }) {
  return (
    <span class={`badge status-${cls(status)}`} data-status={status}>
      {statusWords(status, restrictedDuties)}
    </span>
  );
}

export function OutcomeBadge({ outcome }: { outcome: Outcome | 'ADVISORY' }) {
  return (
    <span class={`badge outcome-${cls(outcome)}`} data-outcome={outcome}>
      {OUTCOME_WORDS[outcome] ?? outcome}
    </span>
  );
}

/** A finding's row header: the rule id and, under it, the citation it rests on. */
export function RuleHeader({ rule, citation, detail }: { rule: string; citation: string; detail?: string }) {
  return (
    <th scope="row">
      {rule}
      {detail}
      <span class="citation">{citation}</span>
    </th>
  );
}

/**
 * Who is signed in and the session's CSRF token, given once per answer (`renderPage(page,
 * signedIn)`, `sendPage` in send-page.tsx) and read by the layout and the forms' `CsrfField`, so a
 * page's component does not pass them along by hand.
 */
export interface SignedIn {
  person?: Person;
  csrf?: string;
}

const SignedInContext = createContext<SignedIn>({});

/** The signed-in person and CSRF token of the page being rendered (empty on a signed-out page). */
export const useSignedIn = (): SignedIn => useContext(SignedInContext);

export interface PageProps {
  title: string;
  /** Only where the page shows someone else than the signed-in person's menu (e.g. none); else from `renderPage`. */
  person?: Person;
  csrf?: string;
  /** The path of this page, to mark the current navigation link. */
  current?: string;
  notice?: string;
  children: ComponentChildren;
}

export function Page({ title, person: given, csrf: givenCsrf, current, notice, children }: PageProps) {
  const signedIn = useSignedIn();
  const person = given ?? signedIn.person;
  const csrf = givenCsrf ?? signedIn.csrf;
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · SRO compliance`}</title>
        <link rel="stylesheet" href="/assets/console.css" />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to the page content
        </a>
        <header class="top">
          <p class="product">SRO compliance ledger</p>
          {person && (
            <nav aria-label="Main">
              <ul>
                {navFor(person.role).map((link) => (
                  <li>
                    <a href={link.href} aria-current={current === link.href ? 'page' : undefined}>
                      {link.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          )}
          {person && (
            <form method="post" action="/sign-out" class="who">
              <span>
                Signed in as {person.name} · {ROLE_WORDS[person.role]} · agency {person.agencyId} · <a href="/account" aria-current={current === '/account' ? 'page' : undefined}>Your account</a>
              </span>
              <input type="hidden" name="_csrf" value={csrf} />
              <button type="submit">Sign out</button>
            </form>
          )}
        </header>
        <main id="main">
          {person?.ledgerAlarm && <LedgerAlarm person={person} alarm={person.ledgerAlarm} here={current === '/integrity'} />}
          {notice && (
            <p class="notice" role="status">
              {notice}
            </p>
          )}
          {children}
        </main>
      </body>
    </html>
  );
}

/**
 * The banner of a ledger that failed verification, on every page of a signed-in person
 * (docs/integrity.md): what the failure means for what the page shows, and where to look.
 */
function LedgerAlarm({ person, alarm, here }: { person: Person; alarm: { checkedAt?: string }; here: boolean }) {
  const seesIntegrity = person.role === 'admin' || person.role === 'investigator';
  return (
    <div class="alarm" role="alert" data-integrity-alarm="failed">
      <p>
        <strong>Warning: the records failed their integrity check{alarm.checkedAt ? ` at ${instantInWords(alarm.checkedAt)}` : ''}.</strong> A record was altered, removed or reordered
        after it was written, outside this product. What this page shows may not be what was recorded.
      </p>
      <p>
        {here ? (
          'What was found is below; tell whoever looks after the server.'
        ) : seesIntegrity ? (
          <>
            <a href="/integrity">See what was found on the Integrity page</a>, and tell whoever looks after the server.
          </>
        ) : (
          'Tell your agency’s admin or an investigator: the Integrity page, open to them, names the record that failed.'
        )}
      </p>
    </div>
  );
}

/** A whole page as HTML; `signedIn` reaches the layout and every `CsrfField` inside it. */
export function renderPage(page: VNode, signedIn: SignedIn = {}): string {
  return '<!doctype html>' + renderToString(<SignedInContext.Provider value={signedIn}>{page}</SignedInContext.Provider>);
}

/** Field messages from a refusal, shown at the top of a form and announced. */
export function Problems({ messages }: { messages?: string[] }) {
  if (!messages?.length) return null;
  return (
    <div class="problems" role="alert">
      <p>
        <strong>Please correct this:</strong>
      </p>
      <ul>
        {messages.map((m) => (
          <li>{m}</li>
        ))}
      </ul>
    </div>
  );
}

/** The session's CSRF token in a form (from `renderPage`'s `signedIn` unless given). */
export function CsrfField({ csrf }: { csrf?: string }) {
  const signedIn = useSignedIn();
  return <input type="hidden" name="_csrf" value={csrf ?? signedIn.csrf} />;
}

/** "Status on 1 March 2026, as the records stood at 1 December 2026 10:15 CST." */
export function axesSentence(asOf: string, knownAt: string, live: boolean, subject = 'Status'): string {
  const known = live ? `as the records stand now (${instantInWords(knownAt)})` : `as the records stood at ${instantInWords(knownAt, { seconds: true })}`;
  return `${subject} on ${dateInWords(asOf)}, ${known}.`;
}

export interface AxesFormProps {
  action: string;
  asOf: string;
  /** The Known at text the person gave (empty: now). */
  knownAtText: string;
  /** Other query parameters the form keeps (filters, horizon). */
  keep?: Record<string, string | undefined>;
  /** Other fields of the same question (the reminders' horizon), before the button. */
  children?: ComponentChildren;
  asOfHint?: string;
  problems?: string[];
}

/**
 * The two pickers, labelled "As of" and "Known at" (docs/reference.md#web-console), sent as the
 * URL query asOf, knownAt.
 */
export function AxesForm({ action, asOf, knownAtText, keep, problems, children, asOfHint = 'The day the status is for.' }: AxesFormProps) {
  return (
    <form method="get" action={action} class="axes" aria-label="Time">
      <Problems messages={problems} />
      <div class="field">
        <label for="asOf">As of</label>
        <input id="asOf" name="asOf" type="date" value={asOf} required aria-describedby="asOf-hint" />
        <span id="asOf-hint" class="hint">
          {asOfHint}
        </span>
      </div>
      <div class="field">
        <label for="knownAt">Known at</label>
        <input id="knownAt" name="knownAt" type="text" value={knownAtText} placeholder="now" inputMode="numeric" autoComplete="off" aria-describedby="knownAt-hint" />
        <span id="knownAt-hint" class="hint">
          The records as they stood at this moment: Minnesota time as 2026-03-01 17:00 or 3/1/2026 5:00 PM, or an ISO instant. Empty means now.
        </span>
      </div>
      {Object.entries(keep ?? {}).map(([name, value]) => (value ? <input type="hidden" name={name} value={value} /> : null))}
      {children}
      <button type="submit">Show</button>
    </form>
  );
}

export { dateInWords, instantInWords };
