/**
 * Page: the investigator's integrity page at /integrity (docs/reference.md#get-integrity): the one
 * ledger verification (VerifyAgencyQuery, as GET /api/agencies/:agencyId/integrity) with the first
 * broken link named; the latest signed checkpoint to download (/integrity/checkpoint) with the
 * verifier key that checks it; and a form to check a checkpoint kept elsewhere (its signature
 * against this ledger's key, or a key given, and then that today's log extends it).
 */
import { Body, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { CheckpointError, parseVerifierKey, verifyCheckpoint, type Checkpoint } from '../../../events/checkpoint';
import { parseStream } from '../../../events/streams';
import { VerifyAgencyQuery } from '../../agencies/integrity';
import { GetOfficerHistoryQuery, type OfficerHistoryView } from '../../officers/officer-history';
import { CheckpointService } from '../../ledger/checkpoint-service';
import { GetCheckpointQuery } from '../../ledger/ledger.controller';
import type { LedgerReport } from '../../ledger/ledger-verifier';
import { base64Root } from '../../ledger/checkpoint-check';
import { Refusal } from '../../write/refusals';
import { officerUrl } from '../console-axes';
import { ConsoleRequest, ConsoleRoles } from '../console.guard';
import { ConsoleController, ConsolePage } from '../console-page';
import { factInWords } from '../event-words';
import { CsrfField, instantInWords, Page, Problems, renderPage } from '../layout';
import { signedInOf } from '../send-page';
import { WitnessCheckpoints } from '../../witnesses';
import type { WitnessHolding } from '../../witnesses/witness-checkpoints.service';

const MAX_CHECKPOINT_TEXT = 8 * 1024;

/** The first broken link in words: where it is, and the fact itself when it is an officer's event still stored. */
interface BrokenFact {
  where: string;
  officerId?: string;
  eventId?: string;
  fact?: string;
}

@ConsoleController('integrity')
export class IntegrityPageController {
  constructor(
    private readonly queries: QueryBus,
    private readonly checkpoints: CheckpointService,
    private readonly witnesses: WitnessCheckpoints,
  ) {}

  @ConsolePage({ roles: ['admin', 'investigator'], nav: { href: '/integrity', label: 'Integrity', order: 3 } })
  async page(@Req() request: ConsoleRequest, @Res() response: Response): Promise<void> {
    const person = request.person!;
    const report: LedgerReport = await this.queries.execute(new VerifyAgencyQuery(person.agencyId));
    response.type('html').send(await this.render(request, report));
  }

  /** The page for this report; `form`: what the checkpoint form was given and found. */
  private async render(request: ConsoleRequest, report: LedgerReport, form: Partial<Parameters<typeof IntegrityPage>[0]> = {}): Promise<string> {
    const person = request.person!;
    return renderPage(
      <IntegrityPage
       
       
        report={report}
        brokenFact={await this.brokenFact(person.agencyId, report)}
        note={await this.latestNote()}
        verifierKey={this.checkpoints.key().verifierKey}
        agencyId={person.agencyId}
        witnesses={await this.witnesses.holdings(person.agencyId)}
        emailConfigured={this.witnesses.smtpConfigured}
        {...form}
      />,
      signedInOf(request),
    );
  }

  @Get('checkpoint')
  @ConsoleRoles('admin', 'investigator')
  async download(@Res() response: Response): Promise<void> {
    const note: string = await this.queries.execute(new GetCheckpointQuery());
    const size = note.split('\n')[1] ?? 'latest';
    response.type('text/plain; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="checkpoint-${size}.txt"`).send(note);
  }

  @Post('check')
  @ConsoleRoles('admin', 'investigator')
  @HttpCode(200)
  async check(@Req() request: ConsoleRequest, @Body() body: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const person = request.person!;
    const text = typeof body.checkpoint === 'string' ? body.checkpoint.replace(/\r\n/g, '\n') : '';
    const keyText = typeof body.verifierKey === 'string' ? body.verifierKey.trim() : '';
    const problems: string[] = [];
    let outside: Checkpoint | undefined;
    if (!text.trim()) problems.push('Checkpoint: paste the text of the checkpoint (the whole file, with its signature line)');
    else if (text.length > MAX_CHECKPOINT_TEXT) problems.push('Checkpoint: this is longer than any checkpoint');
    else {
      try {
        const verifier = keyText ? parseVerifierKey(keyText) : this.checkpoints.key().verifier;
        outside = verifyCheckpoint(text.endsWith('\n') ? text : `${text}\n`, verifier);
      } catch (error) {
        if (!(error instanceof CheckpointError)) throw error;
        problems.push(`Checkpoint: ${error.message}`);
      }
    }
    let checked: LedgerReport | undefined;
    if (outside) {
      try {
        checked = await this.queries.execute(new VerifyAgencyQuery(person.agencyId, [outside]));
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        problems.push(...error.messages);
      }
    }
    const report: LedgerReport = checked ?? (await this.queries.execute(new VerifyAgencyQuery(person.agencyId)));
    response
      .status(problems.length ? 400 : 200)
      .type('html')
      .send(
        await this.render(request, report, {
          outside: outside && { checkpoint: outside, ok: report.given?.[0]?.ok === true && report.ok, checked: report.given?.[0] !== undefined, reason: report.given?.[0]?.reason },
          problems,
          submitted: { checkpoint: text, verifierKey: keyText },
        }),
      );
  }

  /**
   * The first broken link named as a fact (docs/decisions.md W36): which record it is, whose,
   * for which day and what it now says, read from the officer's events as they are stored now
   * (so possibly the altered version); a stream that is not an officer's is named in words.
   */
  private async brokenFact(agencyId: string, report: LedgerReport): Promise<BrokenFact | undefined> {
    const broken = report.firstBroken;
    if (!broken) return undefined;
    const owner = parseStream(broken.stream);
    if (!owner) return undefined;
    if (owner.kind === 'access') return { where: 'the record of who has access: accounts, invitations and tokens' };
    if (owner.kind !== 'officer') return { where: owner.kind === 'roster' ? 'the list of the agency’s officers' : 'the agency’s own records: policies and contracts' };
    if (owner.agencyId !== agencyId) return undefined;
    let history: OfficerHistoryView;
    try {
      history = await this.queries.execute(new GetOfficerHistoryQuery(agencyId, owner.officerId, new Date().toISOString()));
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      return { where: `the records of officer ${owner.officerId}`, officerId: owner.officerId };
    }
    const officer = `${history.name} (${owner.officerId})`;
    const event = broken.eventId ? history.events.find((e) => e.eventId === broken.eventId) : undefined;
    const lookup = (id: string) => history.events.find((e) => e.eventId === id);
    return {
      where: `the records of ${officer}`,
      officerId: owner.officerId,
      eventId: event?.eventId,
      fact: event ? factInWords(event, { officer, lookup }) : undefined,
    };
  }

  private async latestNote(): Promise<string | undefined> {
    try {
      return await this.queries.execute(new GetCheckpointQuery());
    } catch (error) {
      if (error instanceof Refusal) return undefined;
      throw error;
    }
  }
}

function IntegrityPage(props: {
  report: LedgerReport;
  brokenFact?: BrokenFact;
  note?: string;
  verifierKey: string;
  outside?: { checkpoint: Checkpoint; ok: boolean; checked: boolean; reason?: string };
  problems?: string[];
  submitted?: { checkpoint: string; verifierKey: string };
  agencyId?: string;
  witnesses?: WitnessHolding[];
  emailConfigured?: boolean;
}) {
  const { report } = props;
  const broken = report.firstBroken;
  const fact = props.brokenFact;
  return (
    <Page title="Integrity" current="/integrity">
      <h1>Integrity of the ledger</h1>
      <section aria-labelledby="verification-heading">
        <h2 id="verification-heading">Verification</h2>
        <p class={report.ok ? 'result ok' : 'result broken'} data-integrity={report.ok ? 'ok' : 'broken'} role="status">
          {report.ok
            ? `Verified: nothing was altered. ${report.eventsChecked} events checked (every hash chain, the Merkle tree of the whole ledger${report.checkpoint ? ` against the signed checkpoint of ${report.checkpoint.treeSize} events` : ''}, and the read models).`
            : 'The ledger failed verification: a record was altered, removed or reordered after it was written.'}
        </p>
        {broken && (
          <dl class="broken-link">
            <dt>First broken link</dt>
            <dd data-broken-fact>
              {fact?.fact ? (
                <>
                  {fact.fact}
                  <span class="hint">As the record reads now, which may be the altered version.</span>
                </>
              ) : fact ? (
                `A record in ${fact.where}${broken.eventId ? ' that is no longer there as it was written' : ''}`
              ) : (
                'A record that is not one officer’s: see why below'
              )}
              {fact?.officerId && (
                <span class="hint">
                  <a href={officerUrl(fact.officerId, { anchor: fact.eventId ? `event-${fact.eventId}` : undefined })}>Open the officer’s record</a>
                </span>
              )}
            </dd>
            <dt>Where in the ledger</dt>
            <dd>
              <span class="id">
                Stream {broken.stream}
                {broken.revision >= 0 ? `, revision ${broken.revision}` : ''}
                {broken.eventId ? `, event ID ${broken.eventId}` : ''}
              </span>
            </dd>
            <dt>Why</dt>
            <dd>{broken.reason}</dd>
          </dl>
        )}
        <p class="hint">Checked at {instantInWords(report.checkedAt, { seconds: true })}. Reload the page to verify again.</p>
      </section>

      <section aria-labelledby="checkpoint-heading">
        <h2 id="checkpoint-heading">Latest signed checkpoint</h2>
        {props.note ? (
          <>
            <p>
              A checkpoint is a signed statement of the whole ledger at one moment. Keep a copy outside the agency (an investigator, a county attorney, a school district): with it, anyone can later prove that nothing it covered was edited, removed or reordered.
            </p>
            <pre class="checkpoint">{props.note}</pre>
            <p>
              <a href="/integrity/checkpoint" download>
                Download the checkpoint
              </a>
            </p>
          </>
        ) : (
          <p>No checkpoint has been signed yet (the ledger has no events).</p>
        )}
        <p>
          Verifier key (checks this ledger’s checkpoints): <code>{props.verifierKey}</code>
        </p>
      </section>

      <section aria-labelledby="witnesses-heading">
        <h2 id="witnesses-heading">Witnesses</h2>
        <p>
          Witnesses are people outside the agency who receive the latest signed checkpoint by e-mail, at most once a day (in the morning, when something was recorded since their last copy), so that a copy exists that the agency cannot change.{' '}
          {props.emailConfigured === false && <strong>E-mail is not set up on this server (SRO_SMTP_URL), so no witness receives anything now.</strong>}
        </p>
        {props.witnesses && props.witnesses.length > 0 ? (
          <table>
            <caption>The agency’s witnesses and the last checkpoint each was sent</caption>
            <thead>
              <tr>
                <th scope="col">Witness</th>
                <th scope="col">E-mail</th>
                <th scope="col">Named</th>
                <th scope="col">Last copy sent</th>
              </tr>
            </thead>
            <tbody>
              {props.witnesses.map((w) => (
                <tr data-witness={w.email}>
                  <td>{w.name}</td>
                  <td>{w.email}</td>
                  <td>{instantInWords(w.addedAt)}</td>
                  <td>{w.lastCopy ? `The checkpoint of ${w.lastCopy.treeSize} events, sent ${instantInWords(w.lastCopy.sentAt)}` : 'None yet'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p>The agency has named no witness yet.</p>
        )}
        <p class="hint">
          An administrator names witnesses on the server’s command line: <code>witness add --agency {props.agencyId ?? '<agency>'} --name &lt;name&gt; --email &lt;email&gt;</code> (and <code>witness remove</code>).
        </p>
      </section>

      <section aria-labelledby="check-heading">
        <h2 id="check-heading">Check a checkpoint kept elsewhere</h2>
        {props.outside && (
          <p class={props.outside.ok ? 'result ok' : 'result broken'} role="status" data-outside-check={props.outside.ok ? 'ok' : 'broken'}>
            {props.outside.ok
              ? `Your checkpoint of ${props.outside.checkpoint.treeSize} events (root hash ${base64Root(props.outside.checkpoint.rootHash)}) is signed by the key it was checked with, and the first ${props.outside.checkpoint.treeSize} events of today’s ledger give exactly that root: nothing it covered was changed.`
              : props.outside.reason
                ? `Your checkpoint of ${props.outside.checkpoint.treeSize} events (root hash ${base64Root(props.outside.checkpoint.rootHash)}) is signed, but today’s ledger does not match it: ${props.outside.reason}.`
                : props.outside.checked
                  ? `Your checkpoint of ${props.outside.checkpoint.treeSize} events (root hash ${base64Root(props.outside.checkpoint.rootHash)}) matches today’s ledger, but the ledger failed another check: see the verification above.`
                  : `Your checkpoint of ${props.outside.checkpoint.treeSize} events (root hash ${base64Root(props.outside.checkpoint.rootHash)}) is signed, but the ledger could not be compared with it: see the verification above.`}
          </p>
        )}
        <form method="post" action="/integrity/check" class="stack">
          <Problems messages={props.problems} />
          <CsrfField />
          <div class="field">
            <label for="checkpoint">Checkpoint text</label>
            <textarea id="checkpoint" name="checkpoint" rows={7} required spellcheck={false}>
              {props.submitted?.checkpoint ?? ''}
            </textarea>
          </div>
          <div class="field">
            <label for="verifierKey">Verifier key (optional)</label>
            <input id="verifierKey" name="verifierKey" value={props.submitted?.verifierKey ?? ''} aria-describedby="verifierKey-hint" spellcheck={false} />
            <span id="verifierKey-hint" class="hint">
              Leave empty to check against this ledger’s key shown above; give the key you were handed to check it independently.
            </span>
          </div>
          <button type="submit">Check the checkpoint</button>
        </form>
      </section>
    </Page>
  );
}
