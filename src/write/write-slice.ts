/**
 * What a write slice is, in one value: each slice (src/officers/*, src/agencies/*) exports one
 * descriptor, and src/write-slices.ts lists them once. From that list come the app module's
 * controllers and command handlers, and the import's commands (IMPORT_COMMANDS): a new write is
 * its slice file and one line in the list (docs/decisions.md W41).
 *
 * Pure data: the classes are referenced, never constructed here, so this file needs no Nest.
 */
import type { AgencyDecision, OfficerDecision } from './decision';

/** A class, as the descriptor names it (a DTO, a path DTO, a controller, a handler). */
export type SliceClass = new (...args: never[]) => object;

/** A path parameter a write's route names besides the agency (the import's columns of the same names). */
export type PathField = 'officerId' | 'assignmentId' | 'trainingId' | 'contractId';

interface SliceCommon {
  /** The command's name: the import's `command` column (docs/reference.md, the import). */
  readonly name: string;
  /** The POST route under /api (the controller's path), absent for a command no route takes (the agency's registration: the CLI's). */
  readonly route?: string;
  /** The body's DTO, validated as the global ValidationPipe does (the route's and the import's). */
  readonly dto?: SliceClass;
  /** The route's path DTO, when the path names more than the agency. */
  readonly path?: SliceClass;
  /** The path fields the command carries besides agencyId, in the path's order. */
  readonly pathFields: readonly PathField[];
  /** The HTTP entry point (absent with `route`). */
  readonly controller?: SliceClass;
  /**
   * The command the route, the console's form and the CLI send through the CommandBus, built
   * with `(ctx, ...the path fields in order, body)` (a certificate's file last): `commandOf`,
   * src/write-slices.ts. Absent with `route`.
   */
  readonly command?: SliceClass;
  /** The command handler the CommandBus runs. */
  readonly handler: SliceClass;
  /** The slice's own query handlers (a preview of a retraction, a certificate's file). */
  readonly queries?: readonly SliceClass[];
}

/** A command on an officer's stream, decided against the officer's and the agency's write models. */
export interface OfficerWriteSlice extends SliceCommon {
  readonly scope: 'officer';
  readonly decision: OfficerDecision<never>;
}

/** A command on the agency's stream, decided against the agency's write model. */
export interface AgencyWriteSlice extends SliceCommon {
  readonly scope: 'agency';
  readonly decision: AgencyDecision<never>;
}

export type WriteSlice = OfficerWriteSlice | AgencyWriteSlice;
