/**
 * The application: every vertical slice (controller + command or query handler), the auth guard
 * and the event store chosen by URL (SRO_STORE). Used by the HTTP server, the CLI and the tests.
 */
import { DynamicModule, Inject, Module, OnApplicationShutdown, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { ThrottlerModule } from '@nestjs/throttler';
import { ConfigModule } from '@nestjs/config';
import { loadConfig } from './config';
import { AccessContextInterceptor, ACCESS_LOG_ENABLED, ACCESS_LOG_STORE, ACCESS_LOG_UNNAMED_READS, AccessLog, type UnnamedReads } from './access-log/access-log';
import { AccessLogController, GetAccessLogHandler } from './access-log/access-log.controller';
import { AgencyStatusController, GetAgencyStatusHandler } from './agencies/agency-status';
import { IntegrityController, VerifyAgencyHandler } from './agencies/integrity';
import { GetRemindersHandler, RemindersController } from './agencies/reminders';
import { AccessRegistry } from './auth/access-registry';
import { SESSION_RECORDS } from './auth/session-store.port';
import { IdentityProviders } from './identity/identity-providers';
import { OidcSignIn } from './identity/oidc-sign-in';
import { AUTH_FAILURES } from './auth/auth.guard';
import { ApiModule } from './api.module';
import { EdgeErrorsFilter } from './http/edge-errors.filter';
import { EvidenceController } from './evidence/evidence.controller';
import { EvidencePackets } from './evidence/evidence-packet';
import { PublicFactsService } from './public/public-facts';
import { Accounts } from './auth/accounts';
import { AuthenticationGate, LEDGER_INTEGRITY } from './auth/authentication-gate';
import { ConsoleModule, type ConsoleOptions } from './console';
import { authFailureLimit, filesDir } from './config';
import { HealthController } from './health/health.controller';
import { BulkImporter } from './import/bulk-import';
import { ImportCommandsHandler } from './import/import-commands';
import { GetOfficerChangesHandler, OfficerChangesController } from './officers/officer-changes';
import { GetOfficerHistoryHandler, OfficerHistoryController } from './officers/officer-history';
import { GetOfficerStatusHandler, OfficerStatusController } from './officers/officer-status';
import { PROJECTIONS } from './read-models/ledger-projections';
import { PROJECTION_LIST, ProjectionRunner } from './read-models/projection-runner';
import { READ_MODEL_STORE, type ReadModelStore } from './read-models/read-model-store.port';
import { LedgerReader } from './read/ledger-reader';
import { CheckpointService } from './ledger/checkpoint-service';
import { IntegrityMonitor } from './ledger/integrity-monitor';
import { GetCheckpointHandler, GetConsistencyProofHandler, GetInclusionProofHandler, LedgerController } from './ledger/ledger.controller';
import { LEDGER_OPTIONS, ledgerOptionsFrom, type LedgerOptions } from './ledger/ledger-options';
import { ListOfficersController, ListOfficersHandler } from './officers/list-officers';
import { EVENT_STORE, EventStore } from './store/event-store.port';
import { backendFor, backendOfOpenStore, openEventStore, type Backend } from './store/backends';
import { LedgerWriter } from './write/ledger-writer';
import { writeControllers, writeHandlers } from './write-slices';
import { requestLogModule, type RequestLogOptions } from './http/request-log';
import { processorProviders } from './processors/processor-providers';
import { ProcessorRunner } from './processors/processor-runner';
import { GetNoticesHandler, NoticesController } from './agencies/notices';
import { noticeProviders, type NoticeOptions } from './notices';
import { witnessProviders } from './witnesses';

/**
 * The slices: the writes from their one list (src/write-slices.ts, docs/decisions.md W41), then
 * the reads. A new write is not added here.
 */
const slices = {
  controllers: [
    HealthController,
    ...writeControllers(),
    ListOfficersController,
    OfficerHistoryController,
    OfficerChangesController,
    OfficerStatusController,
    AgencyStatusController,
    RemindersController,
    IntegrityController,
    LedgerController,
    AccessLogController,
    NoticesController,
    EvidenceController,
  ],
  handlers: [
    ...writeHandlers(),
    ListOfficersHandler,
    GetOfficerHistoryHandler,
    GetOfficerChangesHandler,
    ImportCommandsHandler,
    GetOfficerStatusHandler,
    GetAgencyStatusHandler,
    GetRemindersHandler,
    VerifyAgencyHandler,
    GetCheckpointHandler,
    GetInclusionProofHandler,
    GetConsistencyProofHandler,
    GetAccessLogHandler,
    GetNoticesHandler,
  ],
};

/** On shutdown: stops the verifier, the checkpoints and the projections (a batch in flight commits), then closes the stores. */
class StoreLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
    private readonly runner: ProjectionRunner,
    private readonly checkpoints: CheckpointService,
    private readonly integrity: IntegrityMonitor,
    private readonly processors: ProcessorRunner,
  ) {}
  async onApplicationShutdown(): Promise<void> {
    // What reads or writes the stores stops first: a verification or a checkpoint in flight ends.
    await this.integrity.onApplicationShutdown();
    await this.checkpoints.onApplicationShutdown();
    await this.processors.stop(); // the lead given up, the processors' connections closed
    await this.runner.stop();
    await this.readModels.close();
    await this.store.close();
  }
}

export interface AppOptions {
  /** A store URL (`sqlite:./data/sro.db`, `memory:`, ...) or an already open store (tests). */
  store: string | EventStore;
  /** Where the signing key is, and the intervals (default: from the environment, ledger-options.ts). */
  ledger?: Partial<LedgerOptions>;
  /** Session timeouts and the public address of links (default: from the environment, src/console/console-options.ts). */
  console?: Partial<ConsoleOptions>;
  /** Who read what (src/access-log; default on). false: nothing observed (the bench's baseline). */
  accessLog?: boolean;
  /** A read of officer data with no reader named: 'throw' (default under NODE_ENV=test) or 'warn' (src/access-log/access-log.ts, docs/decisions.md W43). */
  unnamedReads?: UnnamedReads;
  /** The request log (nestjs-pino, src/http/request-log.ts); none for the CLI's own runs and the tests that do not ask for it. */
  requestLog?: RequestLogOptions;
  /** The reminders by e-mail (src/notices; default: from the environment, notice-options.ts): tests give their SMTP server, clock and retry delays. */
  notices?: Partial<NoticeOptions>;
}

/** Failed authentications per source address (the AuthGuard counts them; no ThrottlerGuard limits other requests). */
function authFailureThrottler() {
  const { limit, windowSeconds } = authFailureLimit();
  return { name: AUTH_FAILURES, limit, ttl: windowSeconds * 1000, blockDuration: windowSeconds * 1000 };
}

@Module({})
export class AppModule {
  static register(options: AppOptions): DynamicModule {
    // The one configuration schema (src/config.ts), validated first: a bad value stops here, with one line naming the variable.
    loadConfig(process.env);
    // What the store's backend provides (src/store/backends.ts, docs/decisions.md W44); asked when
    // the providers are made, so that a bad URL fails the start as the store's opening always did.
    const url = typeof options.store === 'string' ? options.store : undefined;
    const backendOf = (store: EventStore): Backend => (url !== undefined ? backendFor(url) : backendOfOpenStore(store));
    const storeProvider =
      typeof options.store === 'string'
        ? { provide: EVENT_STORE, useFactory: () => openEventStore(options.store as string, { filesDir: filesDir() }) }
        : { provide: EVENT_STORE, useValue: options.store };
    // The app module's services, for its handlers and for the two modules of controllers it
    // imports (the API's and the console's, docs/decisions.md W45): a global module, exporting them.
    const providers: Provider[] = [
        storeProvider,
        {
          provide: READ_MODEL_STORE,
          useFactory: (store: EventStore) => backendOf(store).openReadModelStore(),
          inject: [EVENT_STORE],
        },
        { provide: PROJECTION_LIST, useValue: PROJECTIONS },
        {
          // Beside the events: the SQLite file or PostgreSQL database; for EventStoreDB a SQLite file beside its default key file.
          provide: ACCESS_LOG_STORE,
          useFactory: (store: EventStore) => backendOf(store).openAccessLogStore(),
          inject: [EVENT_STORE],
        },
        {
          // Console sessions beside the events (docs/decisions.md W55): a restart signs no one out; servers on one database share them.
          provide: SESSION_RECORDS,
          useFactory: (store: EventStore) => backendOf(store).openSessionStore(),
          inject: [EVENT_STORE],
        },
        { provide: ACCESS_LOG_ENABLED, useValue: options.accessLog !== false },
        { provide: ACCESS_LOG_UNNAMED_READS, useValue: options.unnamedReads },
        AccessLog,
        { provide: LEDGER_OPTIONS, useValue: ledgerOptionsFrom(process.env, url, options.ledger) },
        ...processorProviders(typeof options.store === 'string' ? options.store : undefined),
        CheckpointService,
        IntegrityMonitor,
        ProjectionRunner,
        StoreLifecycle,
        LedgerWriter,
        LedgerReader,
        BulkImporter,
        AccessRegistry,
        AuthenticationGate,
        { provide: LEDGER_INTEGRITY, useFactory: (monitor: IntegrityMonitor) => ({ verify: (o: { witness: boolean }) => monitor.verify(o), failure: () => monitor.authenticationFailure() }), inject: [IntegrityMonitor] },
        Accounts,
        ...noticeProviders(options.notices),
        // Each new checkpoint e-mailed to the agency's witnesses (src/witnesses, docs/decisions.md W70).
        ...witnessProviders,
        // Sign-in through the agencies' identity providers (src/identity, docs/decisions.md W56-W58).
        IdentityProviders,
        OidcSignIn,
        EvidencePackets,
        PublicFactsService,
        ...slices.handlers,
    ];
    return {
      module: AppModule,
      global: true,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, cache: true, validate: (env) => ({ sro: loadConfig(env) }) }),
        CqrsModule.forRoot(),
        ...(options.requestLog ? [requestLogModule(options.requestLog)] : []), ThrottlerModule.forRoot({ throttlers: [authFailureThrottler()] }),
        // The API under /api with its guard and error filter; the console at / with its own (docs/decisions.md W45).
        ApiModule.register(slices.controllers),
        ConsoleModule.register(options.console),
      ],
      providers: [
        ...providers,
        // After the guards: who is asking, for the access log of the queries the request runs.
        { provide: APP_INTERCEPTOR, useClass: AccessContextInterceptor },
        // A request that reached no route: by its path, the API's JSON errors or the console's pages.
        { provide: APP_FILTER, useClass: EdgeErrorsFilter },
      ],
      exports: providers.map((p) => (typeof p === 'function' ? p : p.provide)),
    };
  }
}
