/**
 * The one configuration schema (src/config.ts): every variable with its default, and a bad value
 * refused with one line naming the variable, at start of the server and of every command.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../../src/config';
import { createHttpApp } from '../../src/http/create-http-app';
import { buildCli, runCli } from '../support/cli-process';

const BAD: Record<string, string> = {
  SRO_STORE: 'mysql://db',
  PORT: '70000',
  HOST: 'two words',
  SRO_JSON_LIMIT: 'lots',
  SRO_AUTH_FAILURE_LIMIT: '0',
  SRO_AUTH_FAILURE_WINDOW: '1.5',
  SRO_KEY_FILE: 'a\nb',
  SRO_LEDGER_ORIGIN: 'a+b',
  SRO_CHECKPOINT_INTERVAL: '5m',
  SRO_VERIFY_INTERVAL: '-1',
  SRO_SESSION_IDLE_MINUTES: '0',
  SRO_SESSION_MAX_HOURS: '1000',
  SRO_PUBLIC_URL: 'ftp://example.org',
  SRO_TRUST_PROXY: 'proxy.example.org',
  SRO_FILES_DIR: 'a\u0001b',
  SRO_LOG_LEVEL: 'loud',
  SRO_LOG_FORMAT: 'xml',
  SRO_SMTP_URL: 'http://mail.example.org',
  SRO_MAIL_FROM: 'nobody',
  SRO_DIGEST_TIME: '6am',
};

describe('configuration schema', () => {
  it('has a default for everything', () => {
    expect(loadConfig({})).toEqual({
      store: 'sqlite:./data/sro.db',
      host: '127.0.0.1',
      port: 3000,
      jsonLimitBytes: 65536,
      authFailureLimit: 20,
      authFailureWindowSeconds: 60,
      keyFile: undefined,
      ledgerOrigin: undefined,
      checkpointIntervalSeconds: 300,
      verifyIntervalSeconds: 900,
      sessionIdleMinutes: 30,
      sessionMaxHours: 12,
      publicUrl: undefined,
      trustProxy: false,
      logLevel: 'info',
      logFormat: 'auto',
      smtpUrl: undefined,
      mailFrom: undefined,
      digestTime: '06:00',
    });
    // Blank is unset.
    expect(loadConfig({ PORT: '  ', SRO_LOG_LEVEL: '' }).port).toBe(3000);
  });

  it('has a bad value in this test for every variable of the schema', () => {
    expect(Object.keys(BAD).sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it.each(Object.entries(BAD))('refuses %s=%j in one line naming it', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message.startsWith(`${name} must be `)).toBe(true);
    expect(message).not.toContain('\n');
  });

  it('names the first bad variable in the order of the table when several are bad', () => {
    expect(() => loadConfig({ SRO_LOG_LEVEL: 'loud', PORT: 'x' })).toThrow(/^PORT must be/);
  });

  it('the server does not start on a bad value (before any store is opened)', async () => {
    const saved = process.env.SRO_JSON_LIMIT;
    process.env.SRO_JSON_LIMIT = 'lots';
    try {
      await expect(createHttpApp({ store: 'memory:', logger: false })).rejects.toThrow(/^SRO_JSON_LIMIT must be from 1kb to 16mb/);
    } finally {
      if (saved === undefined) delete process.env.SRO_JSON_LIMIT;
      else process.env.SRO_JSON_LIMIT = saved;
    }
  });
});

describe('a bad value at the command line', () => {
  let dir: string;
  beforeAll(() => {
    buildCli();
    dir = mkdtempSync(join(tmpdir(), 'sro-config-'));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([['serve'], ['status', '--agency', 'x'], ['keys', 'show']])('`%s` exits 2 with one line naming the variable', (...args) => {
    const result = runCli({ ...process.env, SRO_STORE: `sqlite:${join(dir, 'sro.db')}`, SRO_LOG_LEVEL: 'loud' }, ...args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('configuration: SRO_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, not "loud"\n');
  });
});
