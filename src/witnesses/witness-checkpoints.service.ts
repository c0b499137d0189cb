/**
 * Each agency's witnesses receive the ledger's latest signed checkpoint by e-mail (docs/integrity.md
 * "Witnesses"; docs/decisions.md W70): at most one message per witness and Minnesota day, sent when
 * the ledger has grown since the witness's last copy (counting no event that only records such a
 * message or seals the access log: the messages would otherwise feed themselves), the checkpoint
 * attached, and a WitnessCheckpointSent in the agency's stream saying who holds which tree.
 *
 * Exactly once per witness and day, as the reminder digest (docs/decisions.md W49): the send's id
 * is derived from agency, witness and day; an outcome already recorded ends the attempt; the send
 * is claimed in the processors' store before the message leaves (a claim older than an hour with
 * no outcome was interrupted: recorded as failed, "it may have been delivered", not sent again);
 * the outcome has one fixed event id, so a second one is refused.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ACCESS_LOG_SEALED } from '../../events/access-log';
import { agencyStream } from '../../events/streams';
import { localDateAt, MINNESOTA_TIME_ZONE } from '../../projections';
import { AccessRegistry, type Witness } from '../auth/access-registry';
import { CheckpointService, type VerifiedCheckpoint } from '../ledger/checkpoint-service';
import { Mailer } from '../notices/mailer';
import { NOTICE_OPTIONS, type NoticeOptions } from '../notices/notice-options';
import { claimSend, recordOutcomeOnce } from '../notices/send-once';
import { PROCESSOR_STORE } from '../processors/processor-providers';
import type { ProcessorStore } from '../processors/processor-store.port';
import { EVENT_STORE, type EventStore } from '../store/event-store.port';
import { newEvent } from '../write/new-events';
import { witnessMessageIdFor, witnessOutcomeEventId, witnessSendIdFor } from './witness-ids';
import { renderWitnessMessage } from './witness-message';

/** The processors' name of the witnesses' messages: their schedule and claims. */
export const WITNESS_PROCESSOR = 'witness-checkpoints';
/** Who their events are recorded by. */
export const WITNESS_RECORDER = 'witness-checkpoints';
/** Events that do not make a new copy worth a message: the messages' own records and the access log's seals. */
const NOT_NEWS = new Set<string>(['WitnessCheckpointSent', 'WitnessCheckpointFailed', ACCESS_LOG_SEALED]);

export type WitnessOutcome =
  | { email: string; outcome: 'SENT'; treeSize: number; messageId: string }
  | { email: string; outcome: 'FAILED'; treeSize: number; error: string; attempts: number }
  | { email: string; outcome: 'SKIPPED'; reason: string };

export interface WitnessReport {
  agencyId: string;
  /** The Minnesota date of the run. */
  day: string;
  smtpConfigured: boolean;
  /** The tree size of the checkpoint given, or null when none is signed yet. */
  treeSize: number | null;
  witnesses: WitnessOutcome[];
}

/** A witness and the last copy they were given (none yet: undefined). */
export interface WitnessHolding {
  email: string;
  name: string;
  addedAt: string;
  lastCopy?: { treeSize: number; sentAt: string };
}

@Injectable()
export class WitnessCheckpoints {
  private readonly logger = new Logger('WitnessCheckpoints');
  private mailer?: Mailer;
  private readonly claimant = randomUUID();

  constructor(
    @Inject(NOTICE_OPTIONS) readonly options: NoticeOptions,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROCESSOR_STORE) private readonly processorStore: ProcessorStore,
    private readonly registry: AccessRegistry,
    private readonly checkpoints: CheckpointService,
  ) {}

  get smtpConfigured(): boolean {
    return this.options.smtpUrl !== undefined;
  }

  /** Every agency with witnesses. */
  async runAll(now: Date): Promise<WitnessReport[]> {
    const reports: WitnessReport[] = [];
    for (const head of await this.store.listStreams('agency-')) {
      const agencyId = head.stream.slice('agency-'.length);
      try {
        if ((await this.registry.witnessesOf(agencyId)).length > 0) reports.push(await this.runAgency(agencyId, now));
      } catch (error) {
        this.logger.error(`the checkpoint of agency ${agencyId} could not be given to its witnesses: ${(error as Error).message}`);
      }
    }
    return reports;
  }

  /**
   * The agency's witnesses, each with the last checkpoint they were given (its size and when
   * the message went, from the agency's WitnessCheckpointSent events): the Integrity page's list.
   */
  async holdings(agencyId: string): Promise<WitnessHolding[]> {
    const witnesses = await this.registry.witnessesOf(agencyId);
    if (witnesses.length === 0) return [];
    const last = new Map<string, { treeSize: number; sentAt: string }>();
    for (const e of await this.store.readStream(agencyStream(agencyId))) {
      if (e.type !== 'WitnessCheckpointSent') continue;
      const { email, treeSize } = e.data as { email: string; treeSize: number };
      if (treeSize >= (last.get(email)?.treeSize ?? -1)) last.set(email, { treeSize, sentAt: e.recordedAt });
    }
    return witnesses.map((w) => ({ email: w.email, name: w.name, addedAt: w.addedAt, lastCopy: last.get(w.email) }));
  }

  /** Gives the latest checkpoint to each witness of the agency who has not had a message today and holds an older tree. */
  async runAgency(agencyId: string, now: Date): Promise<WitnessReport> {
    const day = localDateAt(now, MINNESOTA_TIME_ZONE);
    const report: WitnessReport = { agencyId, day, smtpConfigured: this.smtpConfigured, treeSize: null, witnesses: [] };
    const events = await this.store.readStream(agencyStream(agencyId));
    const registered = events.find((e) => e.type === 'AgencyRegistered');
    const witnesses = await this.registry.witnessesOf(agencyId);
    if (!registered || witnesses.length === 0) return report;
    const latest = await this.checkpoints.latest();
    if (!latest || latest.treeSize === 0) {
      report.witnesses = witnesses.map((w) => ({ email: w.email, outcome: 'SKIPPED', reason: 'no checkpoint has been signed yet' }));
      return report;
    }
    report.treeSize = latest.treeSize;
    const agency = { agencyId, name: String((registered.data as { name: string }).name) };
    const outcomes = new Set(events.filter((e) => e.type === 'WitnessCheckpointSent' || e.type === 'WitnessCheckpointFailed').map((e) => e.eventId));
    const held = new Map<string, number>();
    for (const e of events) {
      if (e.type !== 'WitnessCheckpointSent') continue;
      const { email, treeSize } = e.data as { email: string; treeSize: number };
      held.set(email, Math.max(treeSize, held.get(email) ?? 0));
    }
    const publicPageOn = (await this.registry.publicPageSince(agencyId)) !== undefined;
    for (const witness of witnesses) {
      const sendId = witnessSendIdFor(agencyId, witness.email, day);
      if (outcomes.has(witnessOutcomeEventId(sendId))) report.witnesses.push({ email: witness.email, outcome: 'SKIPPED', reason: 'already sent a checkpoint today' });
      else if (!(await this.isNews(held.get(witness.email), latest))) report.witnesses.push({ email: witness.email, outcome: 'SKIPPED', reason: `already holds the checkpoint of ${held.get(witness.email)} events, and nothing was recorded since` });
      else if (!this.smtpConfigured) report.witnesses.push({ email: witness.email, outcome: 'SKIPPED', reason: 'SRO_SMTP_URL is not configured: nothing is sent' });
      else report.witnesses.push(await this.give(agency, witness, latest, sendId, publicPageOn));
    }
    return report;
  }

  /** Whether the checkpoint covers an event of substance after the `heldSize` events the witness already holds. */
  private async isNews(heldSize: number | undefined, latest: VerifiedCheckpoint): Promise<boolean> {
    if (heldSize === undefined) return true;
    if (heldSize >= latest.treeSize) return false;
    const leaves = this.checkpoints.leaves;
    await leaves.sync();
    if (leaves.size < latest.treeSize) return true;
    const from = heldSize === 0 ? 0 : leaves.positionAt(heldSize - 1);
    const to = leaves.positionAt(latest.treeSize - 1);
    for await (const event of this.store.readAll({ fromPosition: from, batchSize: 500 })) {
      if (event.position > to) break;
      if (!NOT_NEWS.has(event.type)) return true;
    }
    return false;
  }

  private async give(agency: { agencyId: string; name: string }, witness: Witness, checkpoint: VerifiedCheckpoint, sendId: string, publicPageOn: boolean): Promise<WitnessOutcome> {
    const { email, name } = witness;
    const { treeSize, rootHash } = checkpoint;
    const claim = await claimSend(this.processorStore, WITNESS_PROCESSOR, sendId, this.claimant);
    if (claim.state === 'busy') return { email, outcome: 'SKIPPED', reason: 'being sent by another attempt' };
    if (claim.state === 'interrupted') {
      const error = `The send of this checkpoint was interrupted (the server stopped after it was handed to the mail server at ${new Date(claim.at).toISOString()} and before its outcome was recorded): it may have been delivered. It is not sent again today.`;
      await this.record(agency.agencyId, sendId, { type: 'WitnessCheckpointFailed', data: { email, name, treeSize, rootHash, error, attempts: 1 } });
      return { email, outcome: 'FAILED', treeSize, error, attempts: 1 };
    }
    const base = this.options.publicUrl.replace(/\/+$/, '');
    const message = renderWitnessMessage({
      agency,
      witness,
      checkpoint,
      verifierKey: this.checkpoints.key().verifierKey,
      publicPageUrl: publicPageOn ? `${base}/public/${agency.agencyId}` : undefined,
      integrityUrl: `${base}/integrity`,
    });
    const sent = await this.mailerOf().send({
      to: { name, address: email },
      from: this.options.mailFrom,
      subject: message.subject,
      text: message.text,
      attachments: [{ ...message.attachment, contentType: 'text/plain; charset=utf-8' }],
      messageId: witnessMessageIdFor(sendId, this.options.publicUrl),
    });
    if (sent.sent) {
      await this.record(agency.agencyId, sendId, { type: 'WitnessCheckpointSent', data: { email, name, treeSize, rootHash, messageId: sent.messageId } });
      return { email, outcome: 'SENT', treeSize, messageId: sent.messageId };
    }
    this.logger.warn(`the checkpoint of ${treeSize} events could not be sent to witness ${email} of agency ${agency.agencyId} after ${sent.attempts} attempts: ${sent.error}`);
    await this.record(agency.agencyId, sendId, { type: 'WitnessCheckpointFailed', data: { email, name, treeSize, rootHash, error: sent.error, attempts: sent.attempts } });
    return { email, outcome: 'FAILED', treeSize, error: sent.error, attempts: sent.attempts };
  }

  /** The outcome of a send, once: its event id is fixed, so a second one is refused and ignored. */
  private async record(agencyId: string, sendId: string, event: Parameters<typeof newEvent>[0]): Promise<void> {
    await recordOutcomeOnce(this.store, agencyStream(agencyId), newEvent(event, { recordedBy: WITNESS_RECORDER, correlationId: sendId }, witnessOutcomeEventId(sendId)));
  }

  private mailerOf(): Mailer {
    this.mailer ??= new Mailer(this.options.smtpUrl!, this.options.retryDelaysMs, this.options.smtpTimeoutMs);
    return this.mailer;
  }

  close(): void {
    this.mailer?.close();
  }
}
