/**
 * Configuration from the environment, in one place (README and docs/reference.md
 * "Configuration"): one schema, `EnvironmentSchema`, validated with class-validator, read by
 * `loadConfig`. The app module hands it to @nestjs/config (`ConfigService.get('sro')`), and the
 * readers below (`storeUrl`, `listenAddress`, ...) derive their part from it, so a bad value is
 * refused the same way wherever it is read: at start, with one line naming the variable.
 * (The libpq variables PGHOST, PGPORT, ... are PostgreSQL's own and read by its client.)
 */
import { plainToInstance } from 'class-transformer';
import { isIP } from 'node:net';
import { IsOptional, validateSync, ValidateBy, type ValidationArguments } from 'class-validator';
import { DEFAULT_STORE_URL, isStoreUrl } from './store/backends';

/** A mistake in how a command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** A bad configuration value: one line naming the variable; the server or the command does not start (exit 2). */
export class ConfigError extends UsageError {}

export const DEFAULT_PORT = 3000;
export const DEFAULT_HOST = '127.0.0.1';
/** Largest JSON request body (decisions W13): SRO_JSON_LIMIT in bytes, or with a kb / mb suffix; default 64 KB. */
export const DEFAULT_JSON_LIMIT_BYTES = 64 * 1024;
/**
 * Failed authentications allowed per source address and window before it gets 429 (decisions
 * W13): SRO_AUTH_FAILURE_LIMIT (default 20) per SRO_AUTH_FAILURE_WINDOW seconds (default 60);
 * the address is then refused for one window.
 */
export const DEFAULT_AUTH_FAILURE_LIMIT = 20;
export const DEFAULT_AUTH_FAILURE_WINDOW_SECONDS = 60;
export const DEFAULT_CHECKPOINT_INTERVAL_SECONDS = 300;
export const DEFAULT_VERIFY_INTERVAL_SECONDS = 900;
export const DEFAULT_IDLE_MINUTES = 30;
export const DEFAULT_SESSION_MAX_HOURS = 12;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];
export const DEFAULT_LOG_LEVEL: LogLevelName = 'info';
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const MAX_INTERVAL_SECONDS = 31 * 86_400;

/**
 * SRO_TRUST_PROXY (decisions W38): which proxies in front of the server are believed about the
 * client's address (X-Forwarded-For) and the scheme (X-Forwarded-Proto), as Express's `trust
 * proxy`: `false` (default: none; the socket's address is the client's), a hop count from 1 to
 * 10, a comma-separated list of addresses or CIDR ranges (or Express's names loopback,
 * linklocal, uniquelocal), or `true` (every one: only when nothing but the proxy can reach the
 * server).
 */
const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
function proxyEntry(entry: string): boolean {
  if (PROXY_NAMES.includes(entry)) return true;
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (!family || extra !== undefined) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}
const trustProxyValue = (v: string): boolean => /^(true|false)$/i.test(v) || whole(1, 10)(v) || v.split(',').every((e) => proxyEntry(e.trim()));
function parseTrustProxy(v: string | undefined): boolean | number | string[] {
  if (v === undefined || /^false$/i.test(v)) return false;
  if (/^true$/i.test(v)) return true;
  if (/^\d+$/.test(v)) return Number(v);
  return v.split(',').map((e) => e.trim());
}

/** A value `$property must be <what>, not "<value>"` when `test` fails. */
function Checked(what: string, test: (value: string) => boolean) {
  return ValidateBy({
    name: 'checked',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && test(value),
      defaultMessage: (args?: ValidationArguments) => `${args?.property} must be ${what}, not ${JSON.stringify(String(args?.value))}`,
    },
  });
}

const whole = (min: number, max: number) => (v: string) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max;
const positive = (max: number) => (v: string) => /^\d+(\.\d+)?$/.test(v) && Number(v) > 0 && Number(v) <= max;

export function parseByteSize(raw: string): number {
  const match = /^(\d+)\s*(b|kb|mb)?$/i.exec(raw);
  return match ? Number(match[1]) * { b: 1, kb: 1024, mb: 1024 * 1024 }[(match[2] ?? 'b').toLowerCase() as 'b' | 'kb' | 'mb'] : NaN;
}

/** Every variable the product reads, as the environment gives it (strings; blank is unset). Declaration order is the order of the docs' table. */
export class EnvironmentSchema {
  @IsOptional()
  @Checked('sqlite:<path>, postgres://..., esdb://... or memory:', isStoreUrl)
  SRO_STORE?: string;

  @IsOptional()
  @Checked('a whole number from 0 to 65535', whole(0, 65535))
  PORT?: string;

  @IsOptional()
  @Checked('an address or host name without spaces', (v) => /^[^\s/]+$/.test(v))
  HOST?: string;

  @IsOptional()
  @Checked('from 1kb to 16mb (bytes, or with a kb or mb suffix)', (v) => parseByteSize(v) >= 1024 && parseByteSize(v) <= 16 * 1024 * 1024)
  SRO_JSON_LIMIT?: string;

  @IsOptional()
  @Checked('a whole number from 1 to 1000000', whole(1, 1_000_000))
  SRO_AUTH_FAILURE_LIMIT?: string;

  @IsOptional()
  @Checked('a whole number from 1 to 86400', whole(1, 86_400))
  SRO_AUTH_FAILURE_WINDOW?: string;

  @IsOptional()
  @Checked('a file path', (v) => !/[\0\n]/.test(v))
  SRO_KEY_FILE?: string;

  @IsOptional()
  @Checked('a name without spaces or "+"', (v) => /^[^\s+]+$/.test(v))
  SRO_LEDGER_ORIGIN?: string;

  @IsOptional()
  @Checked(`a whole number of seconds from 0 to ${MAX_INTERVAL_SECONDS}`, whole(0, MAX_INTERVAL_SECONDS))
  SRO_CHECKPOINT_INTERVAL?: string;

  @IsOptional()
  @Checked(`a whole number of seconds from 0 to ${MAX_INTERVAL_SECONDS}`, whole(0, MAX_INTERVAL_SECONDS))
  SRO_VERIFY_INTERVAL?: string;

  @IsOptional()
  @Checked('a number greater than 0 and at most 1440', positive(24 * 60))
  SRO_SESSION_IDLE_MINUTES?: string;

  @IsOptional()
  @Checked('a number greater than 0 and at most 168', positive(24 * 7))
  SRO_SESSION_MAX_HOURS?: string;

  @IsOptional()
  @Checked('an http:// or https:// address', (v) => /^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(v))
  SRO_PUBLIC_URL?: string;

  @IsOptional()
  @Checked('false, true, a hop count from 1 to 10, or a comma-separated list of addresses or CIDR ranges (or loopback, linklocal, uniquelocal)', trustProxyValue)
  SRO_TRUST_PROXY?: string;

  @IsOptional()
  @Checked('a folder path', (v) => v.length > 0 && v.length <= 4096 && !/[\u0000-\u001f]/.test(v))
  SRO_FILES_DIR?: string;

  @IsOptional()
  @Checked(`one of ${LOG_LEVELS.join(', ')}`, (v) => (LOG_LEVELS as readonly string[]).includes(v))
  SRO_LOG_LEVEL?: string;

  @IsOptional()
  @Checked(`one of ${LOG_FORMATS.join(', ')}`, (v) => (LOG_FORMATS as readonly string[]).includes(v))
  SRO_LOG_FORMAT?: string;

  @IsOptional()
  @Checked('smtp://[user:password@]host:port (optionally ?tls=verify) or smtps://[user:password@]host:port', isSmtpUrl)
  SRO_SMTP_URL?: string;

  @IsOptional()
  @Checked('an e-mail address, optionally with a name: Agency Compliance <compliance@city.example.gov>', (v) => /^([^<>\r\n]*<)?[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>?$/.test(v))
  SRO_MAIL_FROM?: string;

  @IsOptional()
  @Checked('a time of day HH:MM (24-hour, Minnesota time)', (v) => /^([01]\d|2[0-3]):[0-5]\d$/.test(v))
  SRO_DIGEST_TIME?: string;
}

/** SRO_SMTP_URL: smtp:// (STARTTLS when offered) or smtps:// (implicit TLS), a host, and a port or none. */
function isSmtpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    const tls = url.searchParams.get('tls');
    return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname.length > 0 && (tls === null || tls === 'verify');
  } catch {
    return false;
  }
}

/** SRO_DIGEST_TIME's default: the daily reminder digest at 06:00 Minnesota time. */
export const DEFAULT_DIGEST_TIME = '06:00';

/** The schema's variables, in its order. */
export const CONFIG_VARIABLES: readonly (keyof EnvironmentSchema)[] = [
      'SRO_STORE',
      'PORT',
      'HOST',
      'SRO_JSON_LIMIT',
      'SRO_AUTH_FAILURE_LIMIT',
      'SRO_AUTH_FAILURE_WINDOW',
      'SRO_KEY_FILE',
      'SRO_LEDGER_ORIGIN',
      'SRO_CHECKPOINT_INTERVAL',
      'SRO_VERIFY_INTERVAL',
      'SRO_SESSION_IDLE_MINUTES',
      'SRO_SESSION_MAX_HOURS',
      'SRO_PUBLIC_URL',
      'SRO_TRUST_PROXY',
      'SRO_FILES_DIR',
      'SRO_LOG_LEVEL',
      'SRO_LOG_FORMAT',
      'SRO_SMTP_URL',
      'SRO_MAIL_FROM',
      'SRO_DIGEST_TIME',
];

/** The configuration, typed, with every default applied. */
export interface Config {
  store: string;
  host: string;
  port: number;
  jsonLimitBytes: number;
  authFailureLimit: number;
  authFailureWindowSeconds: number;
  /** undefined: the default beside the store (src/ledger/ledger-options.ts). */
  keyFile?: string;
  ledgerOrigin?: string;
  checkpointIntervalSeconds: number;
  verifyIntervalSeconds: number;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  publicUrl?: string;
  /** Express's `trust proxy`: false, true, a hop count, or addresses and CIDR ranges (SRO_TRUST_PROXY). */
  trustProxy: boolean | number | string[];
  /** Certificate files in this folder instead of the database (undefined: in the database; EventStoreDB: ./data/files). */
  filesDir?: string;
  logLevel: LogLevelName;
  logFormat: LogFormat;
  /** The SMTP server of the reminder digest (undefined: no e-mail is sent, and the console says so). */
  smtpUrl?: string;
  /** The From of the digest (default: sro-compliance@ the public address's host). */
  mailFrom?: string;
  /** HH:MM, Minnesota time: when the daily digest goes. */
  digestTime: string;
}

/** Validates every variable of the schema; the first bad one (in the table's order) is thrown as one line. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, string | undefined> = {};
  for (const name of CONFIG_VARIABLES) {
    const value = env[name]?.trim();
    raw[name] = value ? value : undefined;
  }
  const errors = validateSync(plainToInstance(EnvironmentSchema, raw), { forbidUnknownValues: false });
  if (errors.length > 0) {
    const order = (name: string) => CONFIG_VARIABLES.indexOf(name as never);
    const first = errors.sort((a, b) => order(a.property) - order(b.property))[0];
    throw new ConfigError(Object.values(first.constraints ?? {})[0] ?? `${first.property} is not valid`);
  }
  const v = raw as Partial<Record<keyof EnvironmentSchema, string>>;
  const num = (value: string | undefined, fallback: number) => (value === undefined ? fallback : Number(value));
  return {
    store: v.SRO_STORE ?? DEFAULT_STORE_URL,
    host: v.HOST ?? DEFAULT_HOST,
    port: num(v.PORT, DEFAULT_PORT),
    jsonLimitBytes: v.SRO_JSON_LIMIT === undefined ? DEFAULT_JSON_LIMIT_BYTES : parseByteSize(v.SRO_JSON_LIMIT),
    authFailureLimit: num(v.SRO_AUTH_FAILURE_LIMIT, DEFAULT_AUTH_FAILURE_LIMIT),
    authFailureWindowSeconds: num(v.SRO_AUTH_FAILURE_WINDOW, DEFAULT_AUTH_FAILURE_WINDOW_SECONDS),
    keyFile: v.SRO_KEY_FILE,
    ledgerOrigin: v.SRO_LEDGER_ORIGIN,
    checkpointIntervalSeconds: num(v.SRO_CHECKPOINT_INTERVAL, DEFAULT_CHECKPOINT_INTERVAL_SECONDS),
    verifyIntervalSeconds: num(v.SRO_VERIFY_INTERVAL, DEFAULT_VERIFY_INTERVAL_SECONDS),
    sessionIdleMinutes: num(v.SRO_SESSION_IDLE_MINUTES, DEFAULT_IDLE_MINUTES),
    sessionMaxHours: num(v.SRO_SESSION_MAX_HOURS, DEFAULT_SESSION_MAX_HOURS),
    publicUrl: v.SRO_PUBLIC_URL?.replace(/\/+$/, ''),
    trustProxy: parseTrustProxy(v.SRO_TRUST_PROXY),
    filesDir: v.SRO_FILES_DIR,
    logLevel: (v.SRO_LOG_LEVEL as LogLevelName | undefined) ?? DEFAULT_LOG_LEVEL,
    logFormat: (v.SRO_LOG_FORMAT as LogFormat | undefined) ?? 'auto',
    smtpUrl: v.SRO_SMTP_URL,
    mailFrom: v.SRO_MAIL_FROM,
    digestTime: v.SRO_DIGEST_TIME ?? DEFAULT_DIGEST_TIME,
  };
}

export function storeUrl(env: NodeJS.ProcessEnv = process.env): string {
  return loadConfig(env).store;
}

export function listenAddress(env: NodeJS.ProcessEnv = process.env, portOption?: string): { host: string; port: number } {
  const config = loadConfig(env);
  if (portOption === undefined) return { host: config.host, port: config.port };
  if (!whole(0, 65535)(portOption)) throw new UsageError(`port must be a whole number from 0 to 65535, not "${portOption}"`);
  return { host: config.host, port: Number(portOption) };
}

export function jsonLimitBytes(env: NodeJS.ProcessEnv = process.env): number {
  return loadConfig(env).jsonLimitBytes;
}

export function authFailureLimit(env: NodeJS.ProcessEnv = process.env): { limit: number; windowSeconds: number } {
  const config = loadConfig(env);
  return { limit: config.authFailureLimit, windowSeconds: config.authFailureWindowSeconds };
}

/** SRO_FILES_DIR: keep certificate files in this directory instead of the database (default: in the database; EventStoreDB: ./data/files). */
export function filesDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return loadConfig(env).filesDir;
}
