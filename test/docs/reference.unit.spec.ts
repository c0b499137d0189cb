/**
 * docs/reference.md is the product's contract for its users: this suite fails when it drifts from
 * the code. Everything is read from the code itself, nothing is mocked and no store is opened:
 * - HTTP: the routes of the app's controllers (Nest metadata, as test/e2e/fuzz.e2e.spec.ts finds
 *   them) against the reference's route headings, both ways; each route's roles (@Roles /
 *   @Public), body fields and query parameters (the DTOs' class-validator metadata, `?` for
 *   @IsOptional); the 400 example against what the validation pipe and the error filter answer;
 * - rules: the rule modules, in findings order, with their citations word for word;
 * - events: the catalogue and the access events, with effective-date fields and schema versions;
 * - the status, outcome, course, role and reminder-kind tables against the code's lists;
 * - CLI: the command table of src/cli/main.ts against the command headings, both ways, each
 *   heading's synopsis against the usage the CLI prints, and the documented exit codes of usage;
 * - the CSV import commands; the configuration variables the code reads, and their defaults.
 */
import 'reflect-metadata';
import { controllersOf } from '../support/app-controllers';
import type { PipeTransform } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common/enums/request-method.enum';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { MetadataScanner } from '@nestjs/core';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROLES } from '../../events/access';
import { COURSES, EFFECTIVE_DATE_FIELD, EVENT_TYPES, type EventType } from '../../events/catalogue';
import { CURRENT_SCHEMA_VERSION } from '../../events/upcasters';
import { OUTCOMES, REMINDER_KINDS, RULES, STATUSES } from '../../projections';
import { AppModule } from '../../src/app.module';
import { CONSOLE_CONTROLLERS, consoleRoutes } from '../../src/console';
import { consoleOptionsFrom } from '../../src/console/console-options';
import { PUBLIC_KEY, ROLES_KEY } from '../../src/auth/roles.decorator';
import { main } from '../../src/cli/main';
import { ForbiddenKeysPipe } from '../../src/common/forbidden-keys';
import { toHttp } from '../../src/common/http-errors.filter';
import { createValidationPipe } from '../../src/common/validation';
import { authFailureLimit, CONFIG_VARIABLES, jsonLimitBytes, listenAddress, loadConfig, storeUrl } from '../../src/config';
import { IMPORT_COMMANDS } from '../../src/import/bulk-import';
import { ledgerOptionsFrom } from '../../src/ledger/ledger-options';

const ROOT = path.join(__dirname, '..', '..');
const REFERENCE = readFileSync(path.join(ROOT, 'docs', 'reference.md'), 'utf8');

// ---------------------------------------------------------------- the reference, parsed

interface Section {
  level: number;
  title: string;
  /** The `##` section it is in (itself for a `##`). */
  chapter: string;
  /** The text up to the next heading of any level. */
  body: string;
}

function sectionsOf(markdown: string): Section[] {
  const sections: Section[] = [];
  let chapter = '';
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = fenced ? null : /^(#{1,6}) (.+?)\s*$/.exec(line);
    if (heading) {
      const level = heading[1].length;
      if (level <= 2) chapter = heading[2];
      sections.push({ level, title: heading[2], chapter, body: '' });
    } else if (sections.length > 0) {
      sections[sections.length - 1].body += `${line}\n`;
    }
  }
  return sections;
}

const SECTIONS = sectionsOf(REFERENCE);

function section(title: string, level?: number): Section {
  const found = SECTIONS.filter((s) => s.title === title && (level === undefined || s.level === level));
  if (found.length !== 1) throw new Error(`docs/reference.md must have exactly one section "${title}" (found ${found.length})`);
  return found[0];
}

/** The rows of the tables in a text (header and separator rows left out), as trimmed cells. */
function tableRows(text: string): string[][] {
  const rows: string[][] = [];
  let inTable = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) {
      inTable = false;
      continue;
    }
    const cells = line.slice(1, line.endsWith('|') ? -1 : undefined).split('|').map((c) => c.trim());
    if (!inTable) {
      inTable = true; // the header row
      continue;
    }
    if (cells.every((c) => /^:?-+:?$/.test(c))) continue;
    rows.push(cells);
  }
  return rows;
}

const backticked = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

/** The first cell's backticked names of every table row in a section. */
const tableKeys = (text: string): string[] => tableRows(text).flatMap((row) => backticked(row[0]));

/** A `**Label**: value` line of a section, or undefined. */
function labelled(body: string, label: string): string | undefined {
  const lines = body.split('\n').filter((l) => l.startsWith(`**${label}**: `));
  if (lines.length > 1) throw new Error(`more than one **${label}** line in a section`);
  return lines[0]?.slice(label.length + 6);
}

/** `` `{a, b?}` `` or `` `a, b?` `` → ['a', 'b?']. */
function fieldList(value: string): string[] {
  const m = /^`\{?([^`{}]*)\}?`/.exec(value);
  if (!m) throw new Error(`expected a backticked field list, got: ${value}`);
  return m[1]
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
}

const sorted = <T>(values: Iterable<T>): T[] => [...values].sort();

// ---------------------------------------------------------------- the app's routes

interface Route {
  key: string;
  roles: string[] | 'public';
  body?: Function;
  query?: Function;
}

const scanner = new MetadataScanner();

function routesOf(controllers: Function[]): Route[] {
  const routes: Route[] = [];
  for (const controller of controllers) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    for (const name of scanner.getAllMethodNames(controller.prototype)) {
      const handler = controller.prototype[name];
      const sub = Reflect.getMetadata(PATH_METADATA, handler);
      const method = Reflect.getMetadata(METHOD_METADATA, handler);
      if (sub === undefined || method === undefined) continue;
      const args: Record<string, { index: number }> = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {};
      const types: Function[] = Reflect.getMetadata('design:paramtypes', controller.prototype, name) ?? [];
      const arg = (type: RouteParamtypes) => {
        const found = Object.entries(args).find(([key]) => key.startsWith(`${type}:`));
        return found ? types[found[1].index] : undefined;
      };
      const isPublic = Reflect.getMetadata(PUBLIC_KEY, handler) ?? Reflect.getMetadata(PUBLIC_KEY, controller);
      const roles: string[] = Reflect.getMetadata(ROLES_KEY, handler) ?? Reflect.getMetadata(ROLES_KEY, controller) ?? [];
      const url = `/api/${[base, String(sub)].filter((p) => p && p !== '/').join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
      routes.push({ key: `${RequestMethod[method as RequestMethod]} ${url}`, roles: isPublic ? 'public' : roles, body: arg(RouteParamtypes.BODY), query: arg(RouteParamtypes.QUERY) });
    }
  }
  return routes;
}

// The controllers as the app module declares them (declaring the module opens no store; a key
// file is named so that no default one, a temporary directory for memory:, is made).
const ROUTES = routesOf(
  controllersOf(AppModule.register({ store: 'memory:', ledger: { keyFile: path.join(ROOT, 'data', 'reference-spec-unused-key.pem') } })).filter(
    (c) => !CONSOLE_CONTROLLERS.includes(c as never),
  ),
);

/** A DTO's fields as the reference writes them: `name`, or `name?` when @IsOptional. */
function dtoFields(dto: Function): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  const names = [...new Set(metadata.map((m) => m.propertyName))];
  return names.map((name) =>
    metadata.some((m) => m.propertyName === name && m.type === ValidationTypes.CONDITIONAL_VALIDATION) ? `${name}?` : name,
  );
}

const ROUTE_HEADING = /^(GET|POST|PUT|PATCH|DELETE) (\/api\/\S*)$/;
const DOC_ROUTES = SECTIONS.filter((s) => s.level === 3 && ROUTE_HEADING.test(s.title));

describe('docs/reference.md: HTTP routes', () => {
  it('documents every route the app registers, and no other', () => {
    expect(ROUTES.length).toBeGreaterThanOrEqual(17);
    expect(sorted(DOC_ROUTES.map((s) => s.title))).toEqual(sorted(ROUTES.map((r) => r.key)));
    expect(new Set(DOC_ROUTES.map((s) => s.title)).size).toBe(DOC_ROUTES.length);
  });

  describe.each(ROUTES.map((r) => [r.key, r] as const))('%s', (key, route) => {
    const doc = () => {
      const s = DOC_ROUTES.find((d) => d.title === key);
      if (!s) throw new Error(`docs/reference.md has no heading "### ${key}"`);
      return s;
    };

    it('with its roles', () => {
      const roles = labelled(doc().body, 'Roles');
      expect(roles).toBeDefined();
      if (route.roles === 'public') expect(roles).toMatch(/^none\b/);
      else expect(sorted(roles!.split(',').map((r) => r.trim()))).toEqual(sorted(route.roles));
    });

    it('with its body fields', () => {
      const body = labelled(doc().body, 'Body');
      if (!route.body) expect(body).toBeUndefined();
      else expect(body === undefined ? 'no **Body** line' : sorted(fieldList(body))).toEqual(sorted(dtoFields(route.body)));
    });

    it('with its query parameters', () => {
      const query = labelled(doc().body, 'Query');
      if (!route.query) expect(query).toBeUndefined();
      else expect(query === undefined ? 'no **Query** line' : sorted(fieldList(query))).toEqual(sorted(dtoFields(route.query)));
    });
  });

  it('shows the 400 body the validation pipe and the error filter give', async () => {
    const example = /```json\n([\s\S]*?)```/.exec(section('Errors', 3).body);
    expect(example).not.toBeNull();
    const documented = JSON.parse(example![1]) as { statusCode: number; message: string[] };
    // The assignment route's own DTO, through the app's global pipe, with only startDate wrong.
    const assign = ROUTES.find((r) => r.key === 'POST /api/agencies/:agencyId/officers/:officerId/assignments')!;
    const pipe: PipeTransform = new ForbiddenKeysPipe(createValidationPipe());
    const error = await pipe
      .transform({ assignmentId: 'hs-2025', schools: ['Central High School'], startDate: '2026-02-30' }, { type: 'body', metatype: assign.body as never })
      .then(() => null, (e: unknown) => e);
    expect(error).not.toBeNull();
    const [status, body] = toHttp(error);
    expect(status).toBe(400);
    expect(body).toEqual(documented);
  });
});

// ---------------------------------------------------------------- rules

describe('docs/reference.md: web console', () => {
  const PAGE_HEADING = /^(GET|POST) (\/\S*)$/;
  const documented = SECTIONS.filter((s) => s.level === 3 && PAGE_HEADING.test(s.title) && !ROUTE_HEADING.test(s.title)).map((s) => s.title);
  it('documents every page and form of the console, and no other', () => {
    const registered = consoleRoutes().map((r) => `${RequestMethod[r.method]} ${r.path}`);
    expect(registered.length).toBeGreaterThanOrEqual(15);
    expect(sorted(documented)).toEqual(sorted(registered));
  });
});

describe('docs/reference.md: rules', () => {
  const docRules = SECTIONS.filter((s) => s.chapter === 'Rules' && s.level === 3 && /^[A-Z][A-Z0-9_]+$/.test(s.title));

  it('has a section for every rule, in the order of the findings, and no other', () => {
    expect(docRules.map((s) => s.title)).toEqual(RULES.map((r) => r.id));
  });

  it.each(RULES.map((r) => [r.id, r.citation] as const))('%s cites %s, as the code does', (id, citation) => {
    const s = docRules.find((d) => d.title === id);
    expect(s).toBeDefined();
    expect(labelled(s!.body, 'Citation')).toBe(`\`${citation}\``);
  });
});

// ---------------------------------------------------------------- events and enums

/** The access events: events/access.ts declares them as a type only, so its source is read. */
function accessEventTypes(): string[] {
  const source = readFileSync(require.resolve('../../events/access'), 'utf8');
  const block = /interface AccessEventDataByType \{([^}]*)\}/.exec(source);
  if (!block) throw new Error('events/access.ts: no interface AccessEventDataByType');
  return [...block[1].matchAll(/^\s*(\w+)\s*:/gm)].map((m) => m[1]);
}

describe('docs/reference.md: events', () => {
  const rows = tableRows(section('Events', 3).body);
  const row = (type: string) => rows.find((r) => backticked(r[0])[0] === type);

  it('lists every event of the catalogue and of the access stream, and no other', () => {
    const access = accessEventTypes();
    expect(access.length).toBeGreaterThanOrEqual(2);
    expect(sorted(rows.map((r) => backticked(r[0])[0]))).toEqual(sorted([...EVENT_TYPES, ...access]));
  });

  it.each(EVENT_TYPES.map((t) => [t] as const))('%s with its effective-date field and schema version', (type: EventType) => {
    const r = row(type)!;
    expect(r).toBeDefined();
    const field = EFFECTIVE_DATE_FIELD[type];
    expect(r[3]).toBe(field === null ? 'none' : `\`${String(field)}\``);
    expect(r[4]).toBe(String(CURRENT_SCHEMA_VERSION[type]));
  });
});

describe('docs/reference.md: statuses, outcomes, courses, roles, reminder kinds', () => {
  it.each([
    ['Statuses', 3, STATUSES],
    ['Outcomes', 3, OUTCOMES],
    ['Courses', 2, COURSES],
    ['HTTP API', 2, ROLES],
    ['Reminders', 2, REMINDER_KINDS],
  ] as const)('the %s table has exactly the values of the code', (title, level, values) => {
    expect(sorted(tableKeys(section(title, level).body))).toEqual(sorted(values));
  });
});

// ---------------------------------------------------------------- CLI

/** The keys of the command table in src/cli/main.ts (`const COMMANDS = {...}`; not exported, so its source is read). */
function cliCommands(): string[] {
  const source = readFileSync(require.resolve('../../src/cli/main'), 'utf8');
  const block = /const COMMANDS\b[^\n]*=\s*\{\n([\s\S]*?)\n\};/.exec(source);
  if (!block) throw new Error('src/cli/main.ts: no `const COMMANDS = {...};` table');
  return block[1]
    .split('\n')
    .map((line) => /^\s*(?:'([^']+)'|([a-z]+))\s*[:,]/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => m[1] ?? m[2]);
}

/** Runs the CLI in this process, capturing what it prints. */
async function runCli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('docs/reference.md: command line', () => {
  const commands = cliCommands();
  const docCommands = SECTIONS.filter((s) => s.chapter === 'Command line' && s.level === 3 && /^[a-z][a-z-]*( [a-z]+)?$/.test(s.title));

  it('has a section for every command of the CLI, and no other', () => {
    expect(commands.length).toBeGreaterThanOrEqual(16);
    expect(sorted(docCommands.map((s) => s.title))).toEqual(sorted(commands));
  });

  it("gives each command's synopsis exactly as the CLI's usage does", async () => {
    const { code, out } = await runCli(['--help']);
    expect(code).toBe(0);
    // Usage lines are indented by two spaces; deeper indents continue the line above. A trailing
    // `(comment)` after two or more spaces is the usage's explanation, not the synopsis.
    const synopses = out
      .split('\n')
      .filter((l) => /^ {2}[a-z]/.test(l))
      .map((l) => l.trim().replace(/\s{2,}\(.*$/, '').trim());
    const commandOf = (synopsis: string) =>
      sorted(commands)
        .reverse()
        .find((c) => synopsis === c || synopsis.startsWith(`${c} `));
    for (const command of commands) {
      const usage = synopses.filter((s) => commandOf(s) === command);
      expect({ command, usage: usage.length }).toEqual({ command, usage: 1 });
      const heading = docCommands.find((s) => s.title === command)!;
      const firstLine = heading.body.split('\n').find((l) => l.trim() !== '');
      expect({ command, synopsis: firstLine }).toEqual({ command, synopsis: `\`${usage[0]}\`` });
    }
  });

  it('exits as documented for usage: 2 for no command and for an unknown one', async () => {
    expect(section('Command line', 2).body).toMatch(/prints the usage and exits 0; no command prints it and exits 2/);
    expect((await runCli([])).code).toBe(2);
    const unknown = await runCli(['no-such-command']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^unknown command/);
  });

  it('lists every CSV import command with the route it stands for', () => {
    const rows = tableRows(section('Import', 3).body);
    expect(sorted(rows.map((r) => backticked(r[0])[0]))).toEqual(sorted(Object.keys(IMPORT_COMMANDS)));
    const routes = new Set(ROUTES.map((r) => r.key));
    for (const r of rows) {
      const route = backticked(r[1])[0].replace(' .../officers/', ' /api/agencies/:agencyId/officers/');
      expect({ command: r[0], route: routes.has(route) }).toEqual({ command: r[0], route: true });
    }
  });
});

// ---------------------------------------------------------------- configuration

/** Every environment variable the code reads: `env.NAME`, `env['NAME']`, and `'SRO_...'` names passed to a reader. */
function variablesRead(dir: string): Set<string> {
  const names = new Set<string>();
  for (const entry of readdirSync(dir)) {
    const file = path.join(dir, entry);
    if (statSync(file).isDirectory()) {
      for (const name of variablesRead(file)) names.add(name);
      continue;
    }
    if (!file.endsWith('.ts')) continue;
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/\benv\.([A-Z][A-Z0-9_]*)\b/g)) names.add(m[1]);
    for (const m of source.matchAll(/\benv\[['"]([A-Z][A-Z0-9_]*)['"]\]/g)) names.add(m[1]);
    for (const m of source.matchAll(/['"](SRO_[A-Z0-9_]+)['"]/g)) names.add(m[1]);
  }
  return names;
}

/**
 * What each variable with a plain default decides, from an environment: setting it to the
 * documented default must change nothing, and setting it to `other` must change something (so
 * that the check is about this variable).
 */
const EFFECT: Record<string, { of: (env: NodeJS.ProcessEnv) => unknown; other: string }> = {
  SRO_STORE: { of: (env) => storeUrl(env), other: 'memory:' },
  PORT: { of: (env) => listenAddress(env), other: '3001' },
  HOST: { of: (env) => listenAddress(env), other: '0.0.0.0' },
  SRO_JSON_LIMIT: { of: (env) => jsonLimitBytes(env), other: '2kb' },
  SRO_AUTH_FAILURE_LIMIT: { of: (env) => authFailureLimit(env), other: '7' },
  SRO_AUTH_FAILURE_WINDOW: { of: (env) => authFailureLimit(env), other: '7' },
  // A SQLite URL: its default key file is a plain path (memory: would get a new temporary one per call).
  SRO_CHECKPOINT_INTERVAL: { of: (env) => ledgerOptionsFrom(env, 'sqlite:./data/sro.db'), other: '7' },
  SRO_VERIFY_INTERVAL: { of: (env) => ledgerOptionsFrom(env, 'sqlite:./data/sro.db'), other: '7' },
  SRO_SESSION_IDLE_MINUTES: { of: (env) => consoleOptionsFrom(env), other: '7' },
  SRO_SESSION_MAX_HOURS: { of: (env) => consoleOptionsFrom(env), other: '7' },
  SRO_LOG_LEVEL: { of: (env) => loadConfig(env).logLevel, other: 'debug' },
  SRO_LOG_FORMAT: { of: (env) => loadConfig(env).logFormat, other: 'json' },
  SRO_DIGEST_TIME: { of: (env) => loadConfig(env).digestTime, other: '07:30' },
};

describe('docs/reference.md: configuration', () => {
  const rows = tableRows(section('Configuration', 2).body);

  it('lists every environment variable the code reads, and no other', () => {
    const read = variablesRead(path.join(ROOT, 'src'));
    for (const name of CONFIG_VARIABLES) read.add(name);
    expect(read.has('SRO_STORE')).toBe(true);
    expect(sorted(rows.flatMap((r) => backticked(r[0])))).toEqual(sorted(read));
  });

  it.each(Object.keys(EFFECT).map((name) => [name] as const))('%s with the default the code uses', (name) => {
    const r = rows.find((row) => backticked(row[0]).includes(name));
    expect(r).toBeDefined();
    const defaults = backticked(r![1]);
    expect(defaults).toHaveLength(1);
    const { of, other } = EFFECT[name];
    expect(of({ [name]: defaults[0] })).toEqual(of({}));
    expect(of({ [name]: other })).not.toEqual(of({}));
  });
});
