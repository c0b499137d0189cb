/**
 * The server's log (nestjs-pino; docs/reference.md "Logs"): one line per request when it ends,
 * with the request id (X-Request-Id when the client sent a usable one, else a new UUID; echoed
 * back in the answer's X-Request-Id), the method, the route pattern and the path (never the query
 * string: the console's links carry one-time tokens there), the status, the latency, who asked
 * (a token's name, role and agency, or a person's name, role and agency) and nothing else: no
 * header (so no Authorization, no cookie), no body. Nest's own messages go to the same log.
 * JSON lines, or readable (pino-pretty) when standard output is a terminal (SRO_LOG_FORMAT auto).
 */
import { Injectable, RequestMethod, type DynamicModule } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Logger, LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { LogFormat, LogLevelName } from '../config';

export interface RequestLogOptions {
  level: LogLevelName;
  format: LogFormat;
  /** Where the lines go (default standard output). */
  destination?: DestinationStream;
}

const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

interface LoggedRequest extends Omit<IncomingMessage, 'id'> {
  id?: unknown;
  originalUrl?: string;
  route?: { path?: string };
  baseUrl?: string;
  grant?: { name: string; role: string; agencyId: string };
  person?: { name: string; role: string; agencyId: string };
}

/** Who asked, as far as the guards found out: a token's grant or a signed-in person. */
function principalOf(req: LoggedRequest): Record<string, string> | undefined {
  if (req.grant) return { kind: 'token', name: req.grant.name, role: req.grant.role, agency: req.grant.agencyId };
  if (req.person) return { kind: 'person', name: req.person.name, role: req.person.role, agency: req.person.agencyId };
  return undefined;
}

const pathOf = (req: LoggedRequest): string => (req.originalUrl ?? req.url ?? '').split('?')[0];

/** The matched route's pattern (`/api/agencies/:agencyId/officers/:officerId/status`), or undefined for no route (a 404). */
const routeOf = (req: LoggedRequest): string | undefined => (req.route?.path !== undefined ? `${req.baseUrl ?? ''}${req.route.path}` : undefined);

export function requestLogModule(options: RequestLogOptions): DynamicModule {
  const pretty = options.format === 'pretty' || (options.format === 'auto' && process.stdout.isTTY === true);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const prettyStream = (destination?: DestinationStream) => (require('pino-pretty') as (o: object) => DestinationStream)({ colorize: destination === undefined && process.stdout.isTTY === true, singleLine: true, translateTime: 'SYS:standard', ignore: 'pid,hostname,req,res', ...(destination ? { destination } : {}) });
  const stream: DestinationStream | undefined = pretty ? prettyStream(options.destination) : options.destination;
  const module = LoggerModule.forRoot({
    pinoHttp: [
      {
        level: options.level,
        base: undefined,
        timestamp: () => `,"time":"${new Date().toISOString()}"`,
        formatters: { level: (label: string) => ({ level: label }) },
        genReqId: (req: IncomingMessage, res: ServerResponse) => {
          const sent = req.headers['x-request-id'];
          const id = typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
          res.setHeader('X-Request-Id', id);
          return id;
        },
        // Only what is listed here is logged: no headers, no body, no query string.
        serializers: {
          req: (req: LoggedRequest) => ({ method: req.method, path: pathOf(req) }),
          res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
          err: (err: Error & { status?: number }) => ({ type: err.name, message: err.message, ...(err.status ? { status: err.status } : {}) }),
        },
        wrapSerializers: false,
        customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
        customSuccessMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${pathOf(req as unknown as LoggedRequest)} ${res.statusCode}`,
        customErrorMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${pathOf(req as unknown as LoggedRequest)} ${res.statusCode}`,
        customSuccessObject: (req: IncomingMessage, res: ServerResponse, value: Record<string, unknown>) => withContext(req as unknown as LoggedRequest, res, value),
        customErrorObject: (req: IncomingMessage, res: ServerResponse, _err: Error, value: Record<string, unknown>) => withContext(req as unknown as LoggedRequest, res, value),
        customAttributeKeys: { responseTime: 'latencyMs', reqId: 'requestId' },
        quietReqLogger: true,
      },
      ...(stream ? [stream] : []),
    ] as never,
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    // Nest's own context in each of its messages; requests are logged by pino-http above.
    renameContext: 'context',
  });
  return { ...module, providers: [...(module.providers ?? []), ServerLogger], exports: [...(module.exports ?? []), ServerLogger] };
}

function withContext(req: LoggedRequest, res: ServerResponse, value: Record<string, unknown>): Record<string, unknown> {
  const principal = principalOf(req);
  return {
    ...value,
    route: routeOf(req) ?? null,
    status: res.statusCode,
    ...(principal ? { principal } : {}),
  };
}

/** Nest's start-up chatter (modules loaded, each route mapped) stays out of the log at info; its warnings and errors do not. */
const STARTUP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication', 'LegacyRouteConverter']);

@Injectable()
export class ServerLogger extends Logger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    if (STARTUP_CONTEXTS.has(String(optionalParams[optionalParams.length - 1]))) return;
    super.log(message, ...optionalParams);
  }
}
