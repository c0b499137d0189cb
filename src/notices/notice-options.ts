/**
 * Settings of the reminders by e-mail (README "Reminders by e-mail", docs/reference.md
 * "Configuration"): the SMTP server, the From address, the public address every link starts
 * with, the Minnesota time of the daily digest, and the retry delays of a send.
 */
import { loadConfig } from '../config';

export const NOTICE_OPTIONS = Symbol('NOTICE_OPTIONS');

export interface NoticeOptions {
  /** SRO_SMTP_URL; undefined: nothing is sent, and the console and readiness say so. */
  smtpUrl?: string;
  /** SRO_MAIL_FROM (default: sro-compliance@<the public address's host>). */
  mailFrom: string;
  /** SRO_PUBLIC_URL (default http://HOST:PORT): the start of every link in a message and of the calendar feed. */
  publicUrl: string;
  /** SRO_DIGEST_TIME: HH:MM, Minnesota wall time. */
  digestTime: string;
  /** The waits before each retry of a send the SMTP server refused; their count + 1 is the number of attempts. */
  retryDelaysMs: number[];
  /** How often the digest's schedule looks at the Minnesota clock (ms). */
  checkEveryMs: number;
  /** After the day's run, how often it runs again that day for people not told yet (ms; digest-schedule.ts). */
  rerunEveryMs: number;
  /** The digest's clock (tests drive it); default the system clock. */
  now?: () => Date;
  /** Timeouts of one SMTP conversation (ms). */
  smtpTimeoutMs: number;
}

/** 3 attempts: at once, after 30 seconds, after 5 minutes (docs/decisions.md W49). */
export const DEFAULT_RETRY_DELAYS_MS = [30_000, 300_000];

export function noticeOptionsFrom(env: NodeJS.ProcessEnv, overrides: Partial<NoticeOptions> = {}): NoticeOptions {
  const config = loadConfig(env);
  const publicUrl = config.publicUrl ?? `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
  const host = new URL(publicUrl).hostname;
  return {
    smtpUrl: config.smtpUrl,
    mailFrom: config.mailFrom ?? `SRO compliance <sro-compliance@${host.includes('.') ? host : `${host}.localdomain`}>`,
    publicUrl,
    digestTime: config.digestTime,
    retryDelaysMs: DEFAULT_RETRY_DELAYS_MS,
    checkEveryMs: 60_000,
    rerunEveryMs: 3_600_000,
    smtpTimeoutMs: 30_000,
    ...overrides,
  };
}
