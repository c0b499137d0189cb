/**
 * Authentication fails closed on a store that does not verify (docs/integrity.md, "Sign-in on a
 * store that does not verify"; decisions W38). Every bearer token, every console session and
 * every sign-in is refused with a 503 that says why while:
 * - the access stream's hash chain is broken (checked by the registry as it folds the stream),
 * - or the last ledger verification (at start, in the background, or on demand) or a checkpoint
 *   found the access stream altered, or the whole log (an event deleted, a stream rolled back,
 *   the tree or a checkpoint not matching), which may hide an access event
 *   (IntegrityMonitor.authenticationFailure()). A failure pinned on another stream, a read model
 *   or the who-read-what log leaves sign-in open: the console shows its banner instead, and an
 *   investigator can open the Integrity page.
 * The grants and passwords are facts of that ledger: a revocation deleted, or a password hash
 * replaced, must not let anyone in. The CLI `verify` does not authenticate and stays available
 * to the investigator.
 *
 * The ledger is verified once at start before any authentication is answered: the server starts
 * the verification when it starts (create-http-app.ts), and an authentication that arrives
 * before it ends waits for it (a context that never started it starts it on first use).
 */
import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { AccessRegistry } from './access-registry';

/**
 * The ledger's verification as authentication consumes it: src/ledger's IntegrityMonitor, bound
 * by the app module (src/auth does not import src/ledger).
 */
export interface LedgerIntegrity {
  verify(options: { witness: boolean }): Promise<unknown>;
  /** Why the records authentication rests on cannot be trusted now (the last verification or a checkpoint), or undefined. */
  failure(): string | undefined;
}
export const LEDGER_INTEGRITY = Symbol('LedgerIntegrity');

/** Authentication is refused because the records it rests on do not verify. */
export class AuthenticationClosed extends ServiceUnavailableException {
  constructor(readonly reason: string) {
    super({
      statusCode: 503,
      error: 'Service Unavailable',
      message: [`sign-in and tokens are refused until the records are investigated: ${reason}. An investigator can run the CLI's verify to see what was altered.`],
    });
  }
}

@Injectable()
export class AuthenticationGate {
  private started?: Promise<void>;

  constructor(
    private readonly registry: AccessRegistry,
    @Inject(LEDGER_INTEGRITY) private readonly integrity: LedgerIntegrity,
  ) {}

  /** The verification at start (once; again on the next call if it could not run). */
  start(): Promise<void> {
    this.started ??= (async () => {
      await this.registry.chainProblem();
      await this.integrity.verify({ witness: true });
    })().catch((err: Error) => {
      this.started = undefined;
      throw new AuthenticationClosed(`the ledger could not be verified at start (${err.message})`);
    });
    return this.started;
  }

  /** Resolves when authentication may proceed; throws AuthenticationClosed (503) with the reason otherwise. */
  async check(): Promise<void> {
    await this.start();
    const reason = await this.reason();
    if (reason) throw new AuthenticationClosed(reason);
  }

  /** Why authentication is refused now, or undefined. */
  async reason(): Promise<string | undefined> {
    const chain = await this.registry.chainProblem();
    if (chain) return chain;
    const ledger = this.integrity.failure();
    return ledger ? `the ledger failed verification: ${ledger}` : undefined;
  }
}
