/**
 * The OpenAPI document (/api/openapi.json) against the app itself: every route the app registers
 * under /api is in it with its method, and no other; bearer auth on every route but the public
 * ones; the status codes; Swagger UI answers; and the README's curl bodies validate against the
 * document's schemas (ajv), as do the examples the document gives.
 */
import type { INestApplication } from '@nestjs/common';
import Ajv from 'ajv';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createHttpApp } from '../../src/http/create-http-app';

let app: INestApplication;
let dir: string;
let doc: any;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sro-openapi-'));
  app = await createHttpApp({ store: 'memory:', logger: false, ledger: { keyFile: join(dir, 'key.pem') } });
  await app.init();
  const res = await request(app.getHttpServer()).get('/api/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
});
afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The routes Express has registered (what the app really answers), as `METHOD /api/{param}` keys. */
function registeredRoutes(): string[] {
  const router = (app.getHttpAdapter().getInstance() as { router?: { stack: any[] }; _router?: { stack: any[] } });
  const stack = (router.router ?? router._router)!.stack;
  return stack
    .filter((layer) => layer.route && String(layer.route.path).startsWith('/api/'))
    .flatMap((layer) => Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${String(layer.route.path).replace(/:([A-Za-z]+)/g, '{$1}')}`))
    .filter((key) => !key.includes('/api/docs') && !key.includes('/api/openapi'));
}

const operations = (): [string, any][] =>
  Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as [string, any]));

describe('OpenAPI document', () => {
  it('is OpenAPI 3 with bearer auth described', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('has every route the app registers under /api, and no other', () => {
    const registered = [...new Set(registeredRoutes())].sort();
    expect(registered.length).toBeGreaterThanOrEqual(25);
    expect(operations().map(([key]) => key).sort()).toEqual(registered);
  });

  it('asks a bearer token of every route but the public one, with 401, 403 and 429', () => {
    for (const [key, op] of operations()) {
      if (key.startsWith('GET /api/health')) {
        expect(op.security).toEqual([]);
        continue;
      }
      expect({ key, security: op.security }).toEqual({ key, security: [{ bearer: [] }] });
      for (const status of ['400', '401', '403', '404', '429']) expect({ key, status, has: status in op.responses }).toEqual({ key, status, has: true });
    }
  });

  it('documents the status codes of every write, with a body schema and an example', () => {
    const writes = operations().filter(([key]) => key.startsWith('POST '));
    expect(writes.length).toBeGreaterThanOrEqual(15);
    for (const [key, op] of writes) {
      expect({ key, statuses: Object.keys(op.responses).sort() }).toEqual({ key, statuses: ['201', '400', '401', '403', '404', '409', '413', '415', '422', '429', '503'] });
      expect(op.requestBody.content['application/json'].schema.$ref).toMatch(/^#\/components\/schemas\/\w+Dto$/);
      for (const status of Object.keys(op.responses)) {
        const content = op.responses[status].content['application/json'];
        expect({ key, status, example: content.example !== undefined }).toEqual({ key, status, example: true });
      }
    }
  });

  it('describes each body field from its class-validator rules', () => {
    const assign = doc.components.schemas.AssignOfficerDto;
    expect(assign.required).toEqual(expect.arrayContaining(['assignmentId', 'schools', 'startDate']));
    expect(assign.properties.startDate).toMatchObject({ type: 'string', format: 'date' });
    expect(assign.properties.schools).toMatchObject({ type: 'array', minItems: 1 });
    expect(assign.additionalProperties).toBe(false);
    const training = doc.components.schemas.RecordTrainingDto;
    expect(training.properties.course.enum).toContain('MN_SRO_BASIC');
    expect(training.required).not.toContain('provider');
  });

  it('gives the query parameters of the read routes', () => {
    const status = doc.paths['/api/agencies/{agencyId}/officers/{officerId}/status'].get;
    expect(status.parameters.map((p: any) => `${p.in}:${p.name}`)).toEqual(expect.arrayContaining(['path:agencyId', 'path:officerId', 'query:asOf', 'query:knownAt']));
  });

  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ components: doc?.components ?? {} }, 'doc');
  const validatorFor = (path: string) => {
    const op = doc.paths[path]?.post;
    if (!op) throw new Error(`no POST ${path} in the document`);
    const validate = new Ajv({ strict: false, validateFormats: false, allErrors: true }).addSchema({ $id: 'doc', components: doc.components }).compile({ $ref: `doc${op.requestBody.content['application/json'].schema.$ref}` });
    return validate;
  };

  it("validates every example body it gives against its own schema", () => {
    for (const [key, op] of operations()) {
      if (!op.requestBody) continue;
      const path = key.slice('POST '.length);
      const validate = validatorFor(path);
      const example = op.requestBody.content['application/json'].example;
      expect({ key, valid: validate(example), errors: validate.errors ?? null }).toEqual({ key, valid: true, errors: null });
    }
  });

  it("validates the README's curl bodies against the document", () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8').replace(/\\\n\s*/g, ' ');
    const curls = [...readme.matchAll(/curl -s -X POST \$API(\/\S+) .*?-d '(.*)'$/gm)];
    expect(curls.length).toBeGreaterThanOrEqual(6);
    const templates = Object.keys(doc.paths);
    for (const [, suffix, rawBody] of curls) {
      const path = `/api/agencies/demo-pd${suffix}`;
      const template = templates.find((t) => new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path));
      expect({ path, template: template !== undefined }).toEqual({ path, template: true });
      // The shell's parts: the certificate's sha256 is computed by `$(...)`; a placeholder `<...>` stands for an eventId.
      const body = JSON.parse(rawBody.replace(/'\$\([^)]*\)'/g, 'a'.repeat(64)).replace(/<the eventId[^>]*>/g, '198a0517-5aee-4279-850f-f202d1da4a78'));
      const validate = validatorFor(template!);
      expect({ path, valid: validate(body), errors: validate.errors ?? null }).toEqual({ path, valid: true, errors: null });
    }
  });

  it('serves Swagger UI at /api/docs, with a CSP that lets its own scripts run', async () => {
    const res = await request(app.getHttpServer()).get('/api/docs');
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('swagger-ui');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const init = await request(app.getHttpServer()).get('/api/docs/swagger-ui-init.js');
    expect(init.status).toBe(200);
    // The API itself keeps its closed CSP.
    expect((await request(app.getHttpServer()).get('/api/health')).headers['content-security-policy']).toContain("default-src 'none'");
  });
});
