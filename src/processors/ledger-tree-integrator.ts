/**
 * The ledger tree integrator (docs/decisions.md W72): on the leading server, every second, the
 * events committed since the tree was last extended are integrated into it, in position order
 * (`EventStore.ledgerHead` does it, in batches, on stores whose appends leave the tree to later:
 * SQLite). So the tree lags the log by about a second of appends at most while a server runs
 * (a maximum merge delay, as Certificate Transparency logs have), and whoever needs the head (the
 * checkpoint signer, the verification, the proof routes) integrates whatever is left first: a
 * checkpoint is only ever signed over integrated events. The lag is reported by
 * GET /api/health/ready to a caller with a token (docs/reference.md#get-apihealth).
 */
import type { EventStore } from '../store/event-store.port';
import type { Processor } from './processor';

export const LEDGER_TREE_INTEGRATOR = 'ledger-tree-integrator';

/** How often the leading server integrates (ms). */
export const TREE_INTEGRATION_INTERVAL_MS = 1_000;

export function ledgerTreeIntegrator(store: EventStore, everyMs = TREE_INTEGRATION_INTERVAL_MS): Processor {
  return { name: LEDGER_TREE_INTEGRATOR, schedule: { everyMs }, tick: () => store.ledgerHead() };
}
