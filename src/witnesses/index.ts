/**
 * Witnesses (docs/integrity.md "Witnesses"): the agency's list is in the access stream
 * (src/auth/access-registry.ts), the commands are src/cli/witness-commands.ts; here the daily
 * message that gives each witness the latest checkpoint, and its schedule (a processor).
 */
import type { Provider } from '@nestjs/common';
import { WitnessCheckpoints } from './witness-checkpoints.service';
import { WitnessSchedule } from './witness-schedule';

export const witnessProviders: Provider[] = [WitnessCheckpoints, WitnessSchedule];

export { WitnessCheckpoints, WitnessSchedule };
