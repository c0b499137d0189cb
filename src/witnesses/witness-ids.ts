/**
 * The ids of a witness's daily message (docs/integrity.md "Witnesses"; docs/decisions.md W70): one
 * send id per agency, witness and Minnesota day (at most one message a day), one event id for its
 * outcome (sent or failed), so that the store refuses a second one however often it is attempted,
 * and a Message-ID derived from it, the same for every attempt.
 */
import { deterministicEventId } from '../processors/processor';

export const witnessSendIdFor = (agencyId: string, email: string, day: string): string => deterministicEventId('WitnessCheckpoint', agencyId, email, day);
export const witnessOutcomeEventId = (sendId: string): string => deterministicEventId('WitnessCheckpointOutcome', sendId);
export const witnessMessageIdFor = (sendId: string, publicUrl: string): string => `<${sendId}@${new URL(publicUrl).hostname}>`;
