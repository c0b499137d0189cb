/**
 * Every write, listed once (docs/decisions.md W41). Each entry is a slice's descriptor
 * (src/write/write-slice.ts): its name, stream scope, route, DTOs, decision, controller and
 * handler. The app module's write controllers and command handlers (src/app.module.ts) and the
 * import's commands (IMPORT_COMMANDS, src/import/bulk-import.ts) are derived from this list: a
 * new write is its slice file and one line here.
 *
 * The order is the order the controllers are registered in (and so the API document's).
 */
import { ADOPT_POLICY_SLICE } from './agencies/adopt-policy';
import { AMEND_CONTRACT_SLICE } from './agencies/amend-contract';
import { END_CONTRACT_SLICE } from './agencies/end-contract';
import { RECORD_CONTRACT_SLICE } from './agencies/record-contract';
import { REGISTER_AGENCY_SLICE } from './agencies/register-agency';
import { RETRACT_AGENCY_EVENT_SLICE } from './agencies/retract-agency-event';
import { ASSIGN_OFFICER_SLICE } from './officers/assign-officer';
import { CORRECT_OFFICER_DETAILS_SLICE } from './officers/correct-officer-details';
import { DECLARE_TRAINING_UNAVAILABLE_SLICE } from './officers/declare-training-unavailable';
import { END_ASSIGNMENT_SLICE } from './officers/end-assignment';
import { FILE_CERTIFICATE_SLICE } from './officers/file-certificate';
import { RECORD_POLICY_REVIEW_SLICE } from './officers/record-policy-review';
import { RECORD_SUBSTITUTE_DAY_SLICE } from './officers/record-substitute-day';
import { RECORD_TRAINING_SLICE } from './officers/record-training';
import { REGISTER_OFFICER_SLICE } from './officers/register-officer';
import { RETRACT_OFFICER_EVENT_SLICE } from './officers/retract-event';
import { SEPARATE_OFFICER_SLICE } from './officers/separate-officer';
import type { WriteContext } from './write/ledger-writer';
import type { PathField, SliceClass, WriteSlice } from './write/write-slice';

export const WRITE_SLICES = [
  REGISTER_AGENCY_SLICE,
  ADOPT_POLICY_SLICE,
  RETRACT_AGENCY_EVENT_SLICE,
  REGISTER_OFFICER_SLICE,
  ASSIGN_OFFICER_SLICE,
  END_ASSIGNMENT_SLICE,
  DECLARE_TRAINING_UNAVAILABLE_SLICE,
  RECORD_SUBSTITUTE_DAY_SLICE,
  RECORD_TRAINING_SLICE,
  FILE_CERTIFICATE_SLICE,
  RECORD_POLICY_REVIEW_SLICE,
  RETRACT_OFFICER_EVENT_SLICE,
  CORRECT_OFFICER_DETAILS_SLICE,
  SEPARATE_OFFICER_SLICE,
  RECORD_CONTRACT_SLICE,
  AMEND_CONTRACT_SLICE,
  END_CONTRACT_SLICE,
] as const satisfies readonly WriteSlice[];

/** The writes a route takes: the HTTP write routes, and so the import's commands. */
export type RoutedWriteSlice = Extract<(typeof WRITE_SLICES)[number], { route: string }>;

export const isRouted = (slice: (typeof WRITE_SLICES)[number]): slice is RoutedWriteSlice => 'route' in slice;

/** The HTTP entry points of the writes, in the list's order. */
export const writeControllers = (): SliceClass[] => WRITE_SLICES.filter(isRouted).map((slice) => slice.controller);

/** The command handlers of the writes, and their slices' own query handlers. */
export const writeHandlers = (): SliceClass[] => WRITE_SLICES.flatMap((slice): SliceClass[] => [slice.handler, ...('queries' in slice ? slice.queries : [])]);

/** A write of the list that a route takes, by its name (the import's `command`). */
export const routedSlice = (name: RoutedWriteSlice['name']): RoutedWriteSlice => WRITE_SLICES.filter(isRouted).find((slice) => slice.name === name)!;

/**
 * The slice's command, as its route builds it: `(ctx, ...path fields in the slice's order, body)`,
 * and a certificate's uploaded file last. What the console's forms send through the CommandBus.
 */
export function commandOf(slice: RoutedWriteSlice, ctx: WriteContext, path: Readonly<Partial<Record<PathField, string>>>, body: object, file?: Buffer): object {
  const Command = slice.command as unknown as new (...args: unknown[]) => object;
  return new Command(ctx, ...slice.pathFields.map((field) => path[field] ?? ''), body, ...(file ? [{ bytes: file }] : []));
}
