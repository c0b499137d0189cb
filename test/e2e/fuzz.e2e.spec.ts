/**
 * No malformed request reaches a 5xx (decisions W13). Every route the app registers (found from
 * its controllers' metadata, and checked against Express's router, so a new route is covered
 * without touching this file) gets seeded, bounded streams of bad requests: oversized,
 * mis-encoded (wrong Content-Type, unknown Content-Encoding, gzip garbage, broken JSON), deeply
 * nested, wrongly typed (every field of the route's DTO with a value of the wrong type) and
 * prototype-polluting (a body valid but for a `__proto__` / `constructor` / `prototype` key),
 * and junk path parameters; each with a valid admin token and without a token. Every answer is a
 * 4xx in the shape of docs/reference.md#errors, the store's stream heads do not move, and nothing
 * is logged as an error. Runs on the store SRO_STORE names.
 */
import { controllersOf } from '../support/app-controllers';
import type { LoggerService } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { CONSOLE_CONTROLLERS, consoleRoutes } from '../../src/console';
import { RequestMethod } from '@nestjs/common/enums/request-method.enum';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { AppModule } from '../../src/app.module';
import { DEFAULT_JSON_LIMIT_BYTES } from '../../src/config';
import { Harness, startHarness, storeHeads } from './http-harness';

const A = 'fuzz-pd';
const MARKER = 'FUZZ-MARKER-c41d';
const SEED = 20261128;
const RUNS_PER_ROUTE = 40;

interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** Field names of the route's body DTO (class-validator metadata), empty for a route without a body. */
  fields: string[];
}

/** The routes of the app's controllers, from Nest's metadata: the same list the router is built from. */
function routesOf(controllers: Function[]): Route[] {
  const scanner = new MetadataScanner();
  const routes: Route[] = [];
  for (const controller of controllers) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    for (const name of scanner.getAllMethodNames(controller.prototype)) {
      const handler = controller.prototype[name];
      const path = Reflect.getMetadata(PATH_METADATA, handler);
      const method = Reflect.getMetadata(METHOD_METADATA, handler);
      if (path === undefined || method === undefined) continue;
      const args: Record<string, { index: number }> = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {};
      const types: Function[] = Reflect.getMetadata('design:paramtypes', controller.prototype, name) ?? [];
      const body = Object.entries(args).find(([key]) => key.startsWith(`${RouteParamtypes.BODY}:`));
      const dto = body ? types[body[1].index] : undefined;
      const fields = dto ? [...new Set(getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false).map((m) => m.propertyName))] : [];
      routes.push({
        method: RequestMethod[method as RequestMethod] as Route['method'],
        path: `/api/${[base, String(path)].filter((p) => p && p !== '/').join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1'),
        fields,
      });
    }
  }
  return routes.sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
}

// The controllers as the app module declares them (no store is opened to read this).
// The console's pages (src/console) are not under /api and have their own tests (test/console).
const ROUTES = routesOf(controllersOf(AppModule.register({ store: 'memory:' })).filter((c) => !CONSOLE_CONTROLLERS.includes(c as never)));

/** Path parameters that name real records, so a request is judged on its body, not on a 404. */
const PARAMS: Record<string, string> = { agencyId: A, officerId: 'o1', assignmentId: 'a1', trainingId: 't1' };
const concrete = (path: string, junk?: { param: string; value: string }) =>
  path.replace(/:(\w+)/g, (_, name: string) => (junk && junk.param === name ? junk.value : (PARAMS[name] ?? 'x1')));

interface BadRequest {
  kind: string;
  headers: Record<string, string>;
  body?: Buffer;
  junk?: { param: string; value: string };
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const JSON_TYPE = { 'Content-Type': 'application/json' };

/** A value of a wrong type for any field of any DTO (they are all strings or arrays of strings). */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.integer(), fc.boolean(), fc.constant(null)), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.integer(), { maxKeys: 3 }),
  fc.constant([]),
  fc.constant({}),
);

/** A string that a field might well accept (identifiers, names, versions): only the polluting key is wrong. */
const plausible = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);

function badRequests(route: Route): fc.Arbitrary<BadRequest> {
  const fields = route.fields.length > 0 ? route.fields : ['name'];
  const params = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]);
  const oversized = fc.tuple(fc.integer({ min: 1, max: 200 * 1024 }), fc.boolean()).map(([extra, gzip]): BadRequest => {
    const body = json({ [fields[0]]: MARKER + 'x'.repeat(DEFAULT_JSON_LIMIT_BYTES + extra) });
    return gzip
      ? { kind: 'oversized (gzip)', headers: { ...JSON_TYPE, 'Content-Encoding': 'gzip' }, body: gzipSync(body) }
      : { kind: 'oversized', headers: JSON_TYPE, body };
  });
  const misEncoded = fc.oneof(
    fc
      .oneof(fc.constantFrom('compress', 'zstd', 'x-gzip', 'gzip, gzip', 'identity, br', 'chunked'), fc.stringMatching(/^[a-z0-9-]{1,12}$/))
      .filter((e) => !['identity', 'gzip', 'deflate', 'br'].includes(e))
      .map((encoding): BadRequest => ({ kind: `Content-Encoding ${encoding}`, headers: { ...JSON_TYPE, 'Content-Encoding': encoding }, body: json({ [fields[0]]: MARKER }) })),
    fc
      .tuple(fc.constantFrom('gzip', 'deflate', 'br'), fc.uint8Array({ minLength: 1, maxLength: 300 }))
      .map(([encoding, bytes]): BadRequest => ({ kind: `${encoding} garbage`, headers: { ...JSON_TYPE, 'Content-Encoding': encoding }, body: Buffer.concat([Buffer.from(bytes), Buffer.from(MARKER)]) })),
    fc
      .constantFrom('application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=b', 'application/xml', 'application/json; charset=iso-8859-1', 'application/jsonx', 'json')
      .map((type): BadRequest => ({ kind: `Content-Type ${type}`, headers: { 'Content-Type': type }, body: Buffer.from(`${fields[0]}=${MARKER}`) })),
    fc
      .oneof(
        fc.string({ maxLength: 40 }).map((s) => `{"${fields[0]}": "${MARKER}${s}`),
        fc.constantFrom(`{${MARKER}}`, `'${MARKER}'`, `{"a":1}${MARKER}`, '12', 'true', `"${MARKER}"`, `[${JSON.stringify(MARKER)}]`, '{"a":1,}'),
      )
      .map((text): BadRequest => ({ kind: 'not a JSON object', headers: JSON_TYPE, body: Buffer.from(text) })),
  );
  const deeplyNested = fc.tuple(fc.integer({ min: 17, max: 5000 }), fc.boolean()).map(([depth, objects]): BadRequest => {
    const open = objects ? '{"k":' : '[';
    const close = objects ? '}' : ']';
    return { kind: `nested ${depth}`, headers: JSON_TYPE, body: Buffer.from(`{"${fields[0]}":${open.repeat(depth)}"${MARKER}"${close.repeat(depth)}}`) };
  });
  const wronglyTyped = fc
    .tuple(fc.tuple(...fields.map(() => wrongValue)), wrongValue)
    .map(([values, extra]): BadRequest => ({
      kind: 'wrongly typed',
      headers: JSON_TYPE,
      body: json({ ...Object.fromEntries(fields.map((f, i) => [f, values[i]])), 'fuzz-extra': extra }),
    }));
  const polluting = fc
    .tuple(fc.tuple(...fields.map(() => plausible)), fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.constantFrom(-1, ...fields.map((_, i) => i)))
    .map(([values, key, under]): BadRequest => {
      // Written as JSON text: an object literal's "__proto__" would set the prototype, not a key.
      const entries = fields.map((f, i) => `${JSON.stringify(f)}:${i === under ? `{"${key}":{"isAdmin":true}}` : JSON.stringify(values[i])}`);
      if (under === -1) entries.push(`"${key}":{"isAdmin":true}`);
      return { kind: `polluting ${key}`, headers: JSON_TYPE, body: Buffer.from(`{${entries.join(',')}}`) };
    });
  const junkPath = fc
    .tuple(fc.constantFrom(...(params.length ? params : ['none'])), fc.constantFrom('%FF', '%00', '%E0%A4%A', 'a'.repeat(65), '..', '%2e%2e', 'x%2Fy', '%20', '-x', '%C0%AF', `${'%25'.repeat(30)}`))
    .map(([param, value]): BadRequest => ({ kind: `path ${param}=${value}`, headers: JSON_TYPE, body: route.method === 'GET' ? undefined : json({}), junk: { param, value } }));
  const kinds = [oversized, misEncoded, deeplyNested, wronglyTyped, polluting];
  if (params.length) kinds.push(junkPath);
  return fc.oneof(...kinds);
}

let h: Harness;
let admin: string;
const errors: string[] = [];
const logger: LoggerService = { log: () => undefined, warn: () => undefined, error: (message, ...rest) => errors.push([message, ...rest].join(' ')) };

beforeAll(async () => {
  h = await startHarness();
  ({ admin } = await h.agency(A));
  h.app.useLogger(logger);
  const o = `/api/agencies/${A}/officers/o1`;
  for (const [path, body] of [
    [`/api/agencies/${A}/policies`, { version: '2025-10', adoptedOn: '2025-08-15' }],
    [`/api/agencies/${A}/officers`, { officerId: 'o1', name: 'Pat Example' }],
    [`${o}/assignments`, { assignmentId: 'a1', schools: ['Anoka High School'], startDate: '2025-09-02' }],
    [`${o}/trainings`, { trainingId: 't1', course: 'MN_SRO_BASIC', completedOn: '2025-08-20' }],
  ] as const) {
    expect((await h.http().post(path).set('Authorization', `Bearer ${admin}`).send(body)).status).toBe(201);
  }
});
afterAll(() => h.close());

it('covers every route the server registers', () => {
  const router = (h.app.getHttpAdapter().getInstance() as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } }).router;
  const all = router.stack
    .filter((layer) => layer.route)
    .flatMap((layer) => Object.keys(layer.route!.methods).map((m) => `${m.toUpperCase()} ${layer.route!.path}`))
    // Swagger UI and the OpenAPI document (src/http/openapi.ts) are served by @nestjs/swagger, not by a controller (test/http/openapi.e2e.spec.ts).
    .filter((r) => !/^GET \/api\/(docs|openapi)/.test(r))
    .sort();
  const registered = all.filter((r) => / \/api(\/|$)/.test(r));
  expect(ROUTES.map((r) => `${r.method} ${r.path}`).sort()).toEqual(registered);
  // Everything else is a console page, outside the /api prefix.
  expect(all.filter((r) => !registered.includes(r))).toEqual(consoleRoutes().map((r) => `${RequestMethod[r.method]} ${r.path}`).sort());
  expect(ROUTES.length).toBeGreaterThanOrEqual(17);
  // Every write route has a DTO whose fields the generators use.
  for (const route of ROUTES.filter((r) => r.method === 'POST')) expect({ route: route.path, fields: route.fields.length > 0 }).toEqual({ route: route.path, fields: true });
});

/** The reviewer's cases, first for every route (fast-check's examples), then the generated ones. */
function examples(route: Route): [BadRequest, boolean][] {
  const field = route.fields[0] ?? 'name';
  const cases: BadRequest[] = [
    { kind: 'JSON over 100 KB', headers: JSON_TYPE, body: json({ [field]: MARKER + 'x'.repeat(100 * 1024) }) },
    { kind: 'gzip garbage', headers: { ...JSON_TYPE, 'Content-Encoding': 'gzip' }, body: Buffer.from(`garbage ${MARKER}`) },
    { kind: 'unknown encoding', headers: { ...JSON_TYPE, 'Content-Encoding': 'x-unknown' }, body: json({ [field]: MARKER }) },
    { kind: '5,000 levels', headers: JSON_TYPE, body: Buffer.from(`{"${field}":${'['.repeat(5000)}${']'.repeat(5000)}}`) },
    { kind: 'syntax error', headers: JSON_TYPE, body: Buffer.from(`{"${field}": "${MARKER}`) },
    { kind: 'form-encoded', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: Buffer.from(`${field}=${MARKER}`) },
  ];
  return cases.flatMap((c) => [
    [c, true],
    [c, false],
  ]);
}

describe.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', (_name, route) => {
  it(`answers every bad request with a 4xx and records nothing (${RUNS_PER_ROUTE} generated + ${examples(route).length} fixed)`, async () => {
    const before = await storeHeads(h.store);
    await fc.assert(
      fc.asyncProperty(badRequests(route), fc.boolean(), async (bad, withToken) => {
        const url = concrete(route.path, bad.junk);
        let req = h.http()[route.method.toLowerCase() as 'get' | 'post'](url).set(bad.headers);
        if (withToken) req = req.set('Authorization', `Bearer ${admin}`);
        const res = bad.body ? await req.serialize((x: unknown) => x as string).send(bad.body) : await req;
        const seen = { kind: bad.kind, withToken, status: res.status };
        expect(seen).toEqual({ ...seen, status: expect.any(Number) });
        if (res.status < 400 || res.status > 499) throw new Error(`${bad.kind} (token: ${withToken}) on ${route.method} ${url}: ${res.status} ${res.text.slice(0, 300)}`);
        expect(res.body).toMatchObject({ statusCode: res.status, message: expect.any(Array) });
        expect(res.text).not.toContain(MARKER);
      }),
      { numRuns: RUNS_PER_ROUTE, seed: SEED, examples: examples(route), endOnFailure: true },
    );
    expect(await storeHeads(h.store)).toBe(before);
    expect(errors).toEqual([]);
  });
});

it('logged no error (no 5xx, no stack) for any of it', () => {
  expect(errors).toEqual([]);
});
