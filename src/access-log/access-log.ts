/**
 * Who read what (Minn. Stat. ch. 13, personnel data; decisions W28). Every answered read of
 * officer data (an officer's status, history or changes; the agency report; the officer listing;
 * the reminders) is recorded: an API route from its answer by the AccessContextInterceptor; a
 * console page or a CLI command by observing the queries it runs on the QueryBus, with who is
 * asking carried by AsyncLocalStorage (the interceptor's context, or `AccessLog.runAs`). Entries
 * are buffered and written in one batch per second (or per 1,000 entries): a read costs no
 * write of its own, and a crash loses at most the last second of entries.
 */
import { CallHandler, ExecutionContext, Inject, Injectable, Logger, NestInterceptor, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { AsyncLocalStorage } from 'node:async_hooks';
import { defer, finalize, Observable, tap } from 'rxjs';
import { parse } from 'csv-parse/sync';
import type { Request } from 'express';
import { AGENCY_ROW_ID, AgencyStatusCsvFile, GetAgencyStatusQuery, type AgencyStatusView } from '../agencies/agency-status';
import { GetRemindersQuery, type RemindersView } from '../agencies/reminders';
import { GetNoticesQuery, type NoticesView } from '../agencies/notices';
import { wantsCsv } from '../common/csv';
import { ListOfficersQuery, type OfficerListView } from '../officers/list-officers';
import { GetCertificateFileQuery } from '../officers/file-certificate';
import { GetRetractionPreviewQuery } from '../officers/retract-event';
import { GetOfficerChangesQuery, type OfficerChangesView } from '../officers/officer-changes';
import { GetOfficerHistoryQuery, type OfficerHistoryView } from '../officers/officer-history';
import { GetOfficerStatusQuery, type OfficerStatusView } from '../officers/officer-status';
import type { AccessEntry, AccessLogFilter, AccessLogStore } from './access-log-store';

// The token lives with the store, so that what verifies the log (src/ledger) reaches it without the slices.
export { ACCESS_LOG_STORE } from './access-log-store';
import { ACCESS_LOG_STORE } from './access-log-store';
/** false: nothing is observed or recorded (the bench's baseline, AppOptions.accessLog). */
export const ACCESS_LOG_ENABLED = Symbol('ACCESS_LOG_ENABLED');

/**
 * A read of officer data with no reader named (outside a request and outside `runAs`): 'throw'
 * refuses it (UnnamedReadError; the default under NODE_ENV=test, so that a test finds the call
 * site), 'warn' logs a warning and answers it (the default otherwise). docs/decisions.md W43.
 */
export const ACCESS_LOG_UNNAMED_READS = Symbol('ACCESS_LOG_UNNAMED_READS');
export type UnnamedReads = 'throw' | 'warn';

/** A query of officer data made where no reader is named: it would go unrecorded (Minn. Stat. ch. 13; docs/decisions.md W43). */
export class UnnamedReadError extends Error {
  constructor(query: string) {
    super(`${query} reads officer data outside a request and outside AccessLog.runAs: no reader is named, so the read would go unrecorded in the access log`);
    this.name = 'UnnamedReadError';
  }
}

/** The queries of officer data (those readOf records). */
const OFFICER_READS: Function[] = [GetOfficerStatusQuery, GetOfficerHistoryQuery, GetOfficerChangesQuery, GetAgencyStatusQuery, ListOfficersQuery, GetCertificateFileQuery, GetRetractionPreviewQuery, GetRemindersQuery, GetNoticesQuery];
const readsOfficerData = (query: unknown): boolean => OFFICER_READS.some((type) => query instanceof type);

/** How long an entry may wait in memory: what a crash can lose. */
export const ACCESS_LOG_FLUSH_MS = 1000;
const FLUSH_AT_ENTRIES = 1000;
/** Entries kept while the store refuses them (then the oldest are dropped, with an error logged). */
const MAX_PENDING = 100_000;

interface Context {
  principal: AccessEntry['principal'];
  route: string;
  format: string;
  requestId: string | null;
}

/** What a query read, or undefined for a query that reads no officer data. */
function readOf(query: unknown, result: unknown): Pick<AccessEntry, 'agencyId' | 'officerId' | 'officerCount' | 'kind' | 'asOf' | 'knownAt'> | undefined {
  if (query instanceof GetOfficerStatusQuery) return { agencyId: query.agencyId, officerId: query.officerId, officerCount: 1, kind: 'officer-status', asOf: query.axes.asOf, knownAt: query.axes.knownAt };
  if (query instanceof GetOfficerHistoryQuery) return { agencyId: query.agencyId, officerId: query.officerId, officerCount: 1, kind: 'officer-history', asOf: null, knownAt: query.knownAt };
  if (query instanceof GetOfficerChangesQuery) return { agencyId: query.agencyId, officerId: query.officerId, officerCount: 1, kind: 'officer-changes', asOf: query.asOf, knownAt: query.to };
  if (query instanceof GetAgencyStatusQuery) {
    const view = result as AgencyStatusView;
    return { agencyId: query.agencyId, officerId: null, officerCount: view.officers.length, kind: 'agency-status', asOf: query.axes.asOf, knownAt: query.axes.knownAt };
  }
  if (query instanceof ListOfficersQuery) {
    const view = result as OfficerListView;
    return { agencyId: query.agencyId, officerId: null, officerCount: view.officers.length, kind: 'officer-list', asOf: query.axes.asOf, knownAt: query.axes.knownAt };
  }
  if (query instanceof GetCertificateFileQuery) return { agencyId: query.agencyId, officerId: query.officerId, officerCount: 1, kind: 'certificate-download', asOf: null, knownAt: null };
  if (query instanceof GetRetractionPreviewQuery) return { agencyId: query.agencyId, officerId: query.officerId, officerCount: 1, kind: 'officer-status', asOf: query.asOf, knownAt: null };
  if (query instanceof GetNoticesQuery) return noticesRead(query.agencyId, query.filter.officerId ?? null, result as NoticesView);
  if (query instanceof GetRemindersQuery) {
    const view = result as RemindersView;
    return { agencyId: query.agencyId, officerId: null, officerCount: new Set(view.items.map((i) => i.officerId).filter((id) => id !== null)).size, kind: 'reminders', asOf: query.axes.asOf, knownAt: query.axes.knownAt };
  }
  return undefined;
}

@Injectable()
export class AccessLog implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('AccessLog');
  private readonly context = new AsyncLocalStorage<Context>();
  private pending: AccessEntry[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private closed = false;
  /**
   * API reads answering now: recorded from their answer by the interceptor, without a context of
   * their own (see AccessContextInterceptor), so their queries are named though no context is set.
   */
  apiReadsInFlight = 0;
  private readonly unnamedReads: UnnamedReads;

  constructor(
    @Inject(ACCESS_LOG_STORE) private readonly store: AccessLogStore,
    private readonly queries: QueryBus,
    @Inject(ACCESS_LOG_ENABLED) private readonly enabled: boolean,
    @Optional() @Inject(ACCESS_LOG_UNNAMED_READS) unnamedReads?: UnnamedReads,
  ) {
    this.unnamedReads = unnamedReads ?? (process.env.NODE_ENV === 'test' ? 'throw' : 'warn');
  }

  /** Observes the QueryBus: every answered query of officer data is recorded under the current context. */
  onModuleInit(): void {
    if (!this.enabled) return;
    const bus = this.queries as QueryBus & { execute: (query: unknown) => Promise<unknown> };
    const execute = bus.execute.bind(bus);
    bus.execute = async (query: unknown) => {
      if (readsOfficerData(query) && !this.context.getStore() && this.apiReadsInFlight === 0) this.unnamed(query);
      const result = await execute(query as never);
      this.observe(query, result);
      return result;
    };
    this.timer = setInterval(() => void this.flush(), ACCESS_LOG_FLUSH_MS);
    this.timer.unref();
  }

  /** Runs `fn` as `principal` reading through `route` (the CLI's commands). */
  runAs<T>(context: Context, fn: () => T): T {
    return this.enabled ? this.context.run(context, fn) : fn();
  }

  /** A read of officer data with no reader named: refused (tests) or warned about (docs/decisions.md W43). */
  private unnamed(query: unknown): void {
    const name = (query as object).constructor.name;
    if (this.unnamedReads === 'throw') throw new UnnamedReadError(name);
    this.logger.warn(`${name} read officer data with no reader named (outside a request and outside AccessLog.runAs): not recorded in the access log`);
  }

  private observe(query: unknown, result: unknown): void {
    const context = this.context.getStore();
    if (!context) return;
    const read = readOf(query, result);
    if (read) this.record({ ...read, at: new Date().toISOString(), route: context.route, format: context.format, principal: context.principal, requestId: context.requestId });
  }

  /** Queues one entry; it is written with the next batch. */
  record(entry: AccessEntry): void {
    if (this.closed || !this.enabled) return;
    this.pending.push(entry);
    if (this.pending.length > MAX_PENDING) {
      const dropped = this.pending.length - MAX_PENDING;
      this.pending.splice(0, dropped);
      this.logger.error(`the access log store refuses entries: ${dropped} oldest dropped`);
    }
    if (this.pending.length >= FLUSH_AT_ENTRIES) void this.flush();
  }

  /** Writes what is pending, in one batch (one transaction). Resolves once written. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.length === 0) return;
      const batch = this.pending;
      this.pending = [];
      try {
        await this.store.append(batch);
      } catch (error) {
        this.pending = [...batch, ...this.pending];
        this.logger.error(`could not write ${batch.length} access log entries (kept, retried in ${ACCESS_LOG_FLUSH_MS} ms): ${(error as Error).message}`);
      }
    });
    return this.flushing;
  }

  /** The agency's entries, newest first; what is pending is written first, so a read just made is listed. */
  async find(filter: AccessLogFilter): Promise<AccessEntry[]> {
    await this.flush();
    return this.store.find(filter);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
    this.closed = true;
    await this.store.close();
  }
}

type PrincipalRequest = Request & {
  grant?: { tokenId: string; name: string; role: string };
  person?: { userId: string; name: string; role: string };
};

/** What an API route's answer read: the routes of officer data, by pattern, from their answer (a view, or its CSV). */
type ApiRead = (req: { params: Record<string, string> }, result: unknown) => Pick<AccessEntry, 'agencyId' | 'officerId' | 'officerCount' | 'kind' | 'asOf' | 'knownAt'>;

/** CSV records after the header (the agency status's last `(agency)` row is not an officer). */
function csvOfficers(text: string, column = 0): string[] {
  const rows = parse(text) as string[][];
  return rows.slice(1).map((r) => r[column]).filter((id) => id !== '' && id !== AGENCY_ROW_ID);
}

/** The proof of notice names officers in its items: a read of officer data (docs/decisions.md W52). */
function noticesRead(agencyId: string, officerId: string | null, view: NoticesView): Pick<AccessEntry, 'agencyId' | 'officerId' | 'officerCount' | 'kind' | 'asOf' | 'knownAt'> {
  return { agencyId, officerId, officerCount: new Set(view.notices.flatMap((n) => n.items.map((i) => i.officerId))).size, kind: 'notices', asOf: null, knownAt: null };
}

const API_READS: Record<string, ApiRead> = {
  '/api/agencies/:agencyId/notices': (req, r) => noticesRead(req.params.agencyId, (req as { query?: Record<string, unknown> }).query?.officerId ? String((req as { query?: Record<string, unknown> }).query!.officerId) : null, r as NoticesView),
  '/api/agencies/:agencyId/officers/:officerId/status': (req, r) => {
    const view = r as OfficerStatusView;
    return { agencyId: req.params.agencyId, officerId: req.params.officerId, officerCount: 1, kind: 'officer-status', asOf: view.asOf, knownAt: view.knownAt };
  },
  '/api/agencies/:agencyId/officers/:officerId/history': (req, r) => ({ agencyId: req.params.agencyId, officerId: req.params.officerId, officerCount: 1, kind: 'officer-history', asOf: null, knownAt: (r as OfficerHistoryView).knownAt }),
  '/api/agencies/:agencyId/officers/:officerId/changes': (req, r) => {
    const view = r as OfficerChangesView;
    return { agencyId: req.params.agencyId, officerId: req.params.officerId, officerCount: 1, kind: 'officer-changes', asOf: view.asOf, knownAt: view.to };
  },
  '/api/agencies/:agencyId/status': (req, r) => {
    // The CSV is sent in slices (docs/decisions.md W40): it says what it holds, it is not read back.
    if (r instanceof AgencyStatusCsvFile) return { agencyId: req.params.agencyId, officerId: null, officerCount: r.officerCount, kind: 'agency-status', asOf: r.asOf, knownAt: r.knownAt };
    const view = r as AgencyStatusView;
    const axes = typeof r === 'string' ? csvAxes(r, 5) : { asOf: view.asOf, knownAt: view.knownAt };
    return { agencyId: req.params.agencyId, officerId: null, officerCount: typeof r === 'string' ? csvOfficers(r).length : view.officers.length, kind: 'agency-status', ...axes };
  },
  '/api/agencies/:agencyId/officers': (req, r) => {
    const view = r as OfficerListView;
    const axes = typeof r === 'string' ? csvAxes(r, 6) : { asOf: view.asOf, knownAt: view.knownAt };
    return { agencyId: req.params.agencyId, officerId: null, officerCount: typeof r === 'string' ? csvOfficers(r).length : view.officers.length, kind: 'officer-list', ...axes };
  },
  // The PDF is sent by the route itself (no answer to look at): the path says whose it is.
  '/api/agencies/:agencyId/officers/:officerId/trainings/:trainingId/certificate': (req) => ({
    agencyId: req.params.agencyId,
    officerId: req.params.officerId,
    officerCount: 1,
    kind: 'certificate-download',
    asOf: null,
    knownAt: null,
  }),
  '/api/agencies/:agencyId/reminders': (req, r) => {
    const view = r as RemindersView;
    const ids = typeof r === 'string' ? csvOfficers(r) : view.items.map((i) => i.officerId).filter((id): id is string => id !== null);
    const axes = typeof r === 'string' ? csvAxes(r, 6) : { asOf: view.asOf, knownAt: view.knownAt };
    return { agencyId: req.params.agencyId, officerId: null, officerCount: new Set(ids).size, kind: 'reminders', ...axes };
  },
};

/** asOf and knownAt from a CSV answer's columns (every row carries them), or null when it has no row. */
function csvAxes(text: string, asOfColumn: number): { asOf: string | null; knownAt: string | null } {
  const second = (parse(text, { to_line: 2 }) as string[][])[1];
  return { asOf: second?.[asOfColumn] ?? null, knownAt: second?.[asOfColumn + 1] ?? null };
}

/** Routes whose answer can be CSV (`format` of an entry). */
const CSV_ROUTES = new Set(['/api/agencies/:agencyId/status', '/api/agencies/:agencyId/reminders', '/api/agencies/:agencyId/officers', '/']);

/**
 * Records the reads of every HTTP request once the guards have found who is asking. An API
 * route of officer data is recorded from its answer (no per-request context: AsyncLocalStorage
 * costs every promise of the process once enabled); a console page, which may run several
 * queries, runs in a context the QueryBus observer records under.
 */
@Injectable()
export class AccessContextInterceptor implements NestInterceptor {
  constructor(private readonly log: AccessLog) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'http') return next.handle();
    const req = ctx.switchToHttp().getRequest<PrincipalRequest>();
    const pattern = (req.route as { path?: string } | undefined)?.path ?? req.path;
    const isPage = !pattern.startsWith('/api/');
    // HEAD is answered by the GET route (headers only, a certificate's name and SHA-256 included): it is a read too (docs/decisions.md W37).
    const apiRead = isPage || (req.method !== 'GET' && req.method !== 'HEAD') ? undefined : API_READS[pattern];
    if (!isPage && !apiRead) return next.handle(); // writes, and API routes that show no officer data
    const principal: Context['principal'] | undefined = req.grant
      ? { kind: 'token', id: req.grant.tokenId, name: req.grant.name, role: req.grant.role }
      : req.person
        ? { kind: 'person', id: req.person.userId, name: req.person.name, role: req.person.role }
        : undefined;
    if (!principal) return next.handle();
    const format = CSV_ROUTES.has(pattern) && wantsCsv(req) ? 'csv' : isPage ? 'html' : 'json';
    const id = (req as { id?: unknown }).id;
    const header = req.headers['x-request-id'];
    const requestId = typeof id === 'string' ? id : typeof header === 'string' ? header.slice(0, 128) : null;
    const route = `${req.method} ${pattern}`;
    if (apiRead) {
      // Counted, not put in a context: the queries it runs are named by this route (docs/decisions.md W43).
      return defer(() => {
        this.log.apiReadsInFlight++;
        return next.handle().pipe(
          tap((result) => this.log.record({ ...apiRead(req as unknown as { params: Record<string, string> }, result), at: new Date().toISOString(), route, format, principal, requestId })),
          finalize(() => this.log.apiReadsInFlight--),
        );
      });
    }
    const context: Context = { principal, route, format, requestId };
    return new Observable((subscriber) => this.log.runAs(context, () => next.handle().subscribe(subscriber)));
  }
}
