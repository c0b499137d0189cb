/**
 * The API's OpenAPI 3 document (README "Scripts and integrations", decisions W24): the routes,
 * their path parameters and tags as @nestjs/swagger finds them in the controllers; the bodies and
 * query parameters from the DTOs' class-validator rules (the one definition the validation pipe
 * applies, so the document cannot drift from what is accepted); bearer auth on every route but
 * the public ones; the status codes each kind of route can answer, with examples. Served at
 * /api/openapi.json and, as Swagger UI, at /api/docs.
 */
import type { INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, ParameterObject, ResponseObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { ID_PATTERN } from '../../events/streams';
import { PUBLIC_KEY, ROLES_KEY } from '../auth/roles.decorator';

export const OPENAPI_JSON_PATH = 'api/openapi.json';
export const OPENAPI_UI_PATH = 'api/docs';

// class-transformer's @Type() metadata (which class a nested DTO is): not exported from its index.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as typeof import('class-transformer/types/storage');

const DATE_PATTERN = '^(19|20|21)\\d\\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$';
const INSTANT_PATTERN = '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d(:\\d\\d(\\.\\d{1,9})?)?(Z|[+-]\\d\\d:\\d\\d)$';

/** A DTO's fields as JSON Schema, from its class-validator metadata (nested DTOs become components too). */
export function schemaOfDto(dto: Function, components: Record<string, SchemaObject>): SchemaObject {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const m of metadata) byProperty.set(m.propertyName, [...(byProperty.get(m.propertyName) ?? []), m]);
  const properties: Record<string, SchemaObject> = {};
  const required: string[] = [];
  for (const [name, rules] of byProperty) {
    const optional = rules.some((r) => r.type === ValidationTypes.CONDITIONAL_VALIDATION);
    if (!optional) required.push(name);
    const own: SchemaObject = {};
    const items: SchemaObject = {};
    for (const rule of rules) {
      const target = rule.each ? items : own;
      if (rule.each) own.type = 'array';
      applyRule(target, own, rule, dto, name, components);
    }
    if (own.type === 'array' && Object.keys(items).length > 0) own.items = { ...(own.items as SchemaObject | undefined), ...items };
    if (own.type === 'array' && !own.items) own.items = {};
    properties[name] = own;
  }
  return { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false };
}

function applyRule(target: SchemaObject, own: SchemaObject, rule: ValidationMetadata, dto: Function, property: string, components: Record<string, SchemaObject>): void {
  if (rule.type === ValidationTypes.NESTED_VALIDATION) {
    const typed = defaultMetadataStorage.findTypeMetadata(dto, property);
    const nested = typed?.typeFunction() as Function | undefined;
    if (nested) {
      components[nested.name] ??= schemaOfDto(nested, components);
      Object.assign(target, { $ref: `#/components/schemas/${nested.name}` });
      delete target.type;
    }
    return;
  }
  if (rule.type === ValidationTypes.CONDITIONAL_VALIDATION || rule.type === ValidationTypes.WHITELIST) return;
  const c = rule.constraints ?? [];
  switch (rule.name) {
    case 'isString':
    case 'isPlainText':
    case 'isNotEmpty':
      if (!(target as { $ref?: string }).$ref) target.type = 'string';
      if (rule.name === 'isNotEmpty') target.minLength = Math.max(target.minLength ?? 0, 1);
      if (rule.name === 'isPlainText') target.description = 'plain text: no control characters, terminal escapes or bidirectional overrides; stored in Unicode NFC';
      break;
    case 'maxLength':
      target.type = 'string';
      target.maxLength = c[0];
      break;
    case 'matches': {
      target.type = 'string';
      const pattern = c[0] instanceof RegExp ? c[0].source : String(c[0]);
      target.pattern = pattern;
      if (pattern === ID_PATTERN.source) target.description = '1-64 letters, digits, ".", "_" or "-", starting with a letter or digit';
      break;
    }
    case 'isIn':
      target.enum = [...(c[0] as unknown[])];
      if (typeof (c[0] as unknown[])[0] === 'string') target.type = 'string';
      break;
    case 'isLocalDate':
      Object.assign(target, { type: 'string', format: 'date', pattern: DATE_PATTERN, description: 'a real calendar date, YYYY-MM-DD (Minnesota)' });
      break;
    case 'isInstant':
      Object.assign(target, { type: 'string', format: 'date-time', pattern: INSTANT_PATTERN, description: 'an ISO-8601 instant with a time zone' });
      break;
    case 'isPlainInteger':
      Object.assign(target, { type: 'string', pattern: '^\\d+$', description: 'a whole number in decimal digits' });
      break;
    case 'isUUID':
      Object.assign(target, { type: 'string', format: 'uuid' });
      break;
    case 'isArray':
      own.type = 'array';
      break;
    case 'arrayMinSize':
      own.type = 'array';
      own.minItems = c[0];
      break;
    case 'arrayMaxSize':
      own.type = 'array';
      own.maxItems = c[0];
      break;
    case 'arrayUnique':
      own.type = 'array';
      own.uniqueItems = true;
      break;
    case 'isObject':
      if (!(target as { $ref?: string }).$ref) target.type = 'object';
      break;
    default:
      // a rule with no JSON Schema counterpart: described, enforced by the pipe
      target.description = [target.description, `(${rule.name})`].filter(Boolean).join(' ');
  }
}

/** An example value for a schema (the property's name picks a plausible identifier). */
export function exampleOf(schema: SchemaObject, name = '', components: Record<string, SchemaObject> = {}): unknown {
  const ref = (schema as { $ref?: string }).$ref;
  if (ref) return exampleOf(components[ref.split('/').pop()!], name, components);
  if (schema.enum) return schema.enum[0];
  if (schema.type === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(schema.properties ?? {})) if ((schema.required ?? []).includes(key)) out[key] = exampleOf(value as SchemaObject, key, components);
    return out;
  }
  if (schema.type === 'array') return [exampleOf((schema.items ?? {}) as SchemaObject, name.replace(/s$/, ''), components)];
  if (schema.format === 'date') return '2025-09-02';
  if (schema.format === 'date-time') return '2025-09-02T08:00:00-05:00';
  if (schema.format === 'uuid') return '198a0517-5aee-4279-850f-f202d1da4a78';
  if (schema.pattern === '^\\d+$') return '60';
  if (schema.pattern && /\{64\}\$$/.test(schema.pattern)) return 'a'.repeat(64);
  if (schema.pattern === ID_PATTERN.source) return name === 'officerId' ? 'jdoe' : `${name.replace(/Id$/, '') || 'id'}-1`;
  return name === 'name' ? 'Jordan Doe' : name === 'school' || name === 'schools' ? 'Central High School' : `${name || 'text'}`;
}

const ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['statusCode', 'message'],
  properties: { statusCode: { type: 'integer' }, error: { type: 'string' }, message: { type: 'array', items: { type: 'string' } } },
};
const WRITE_RESULT: SchemaObject = {
  type: 'object',
  required: ['eventId', 'recordedAt'],
  properties: { eventId: { type: 'string', format: 'uuid' }, recordedAt: { type: 'string', format: 'date-time' } },
};

const ERRORS: Record<number, [string, string]> = {
  400: ['a bad field, parameter or body (one message per field), or a fact that cannot have happened', 'startDate must be a real calendar date in the form YYYY-MM-DD'],
  401: ['no bearer token, or an unknown or revoked one', 'a valid bearer token is required'],
  403: ["a role the route does not allow, or a path naming another agency than the token's", 'this route is not open to the role auditor'],
  404: ['an agency, officer, assignment or training named in the path that does not exist', 'officer jdoe is not registered with agency demo-pd'],
  409: ['a duplicate, or a concurrent write that changed the stream first (reload and retry)', 'officerId: officer jdoe is already registered'],
  413: ['a body over the limit (SRO_JSON_LIMIT, default 64 KB after decompression)', 'the body is larger than 65536 bytes'],
  415: ['a Content-Type other than application/json in UTF-8, or an unsupported Content-Encoding', 'the body must be Content-Type: application/json'],
  422: ['an Idempotency-Key reused for a different request', 'the Idempotency-Key was used for a different request'],
  429: ['too many failed authentications from this address (SRO_AUTH_FAILURE_LIMIT per SRO_AUTH_FAILURE_WINDOW); with Retry-After', 'too many failed authentications; retry later'],
  503: ['the store is busy; for readiness: the store does not answer, a read model is being rebuilt, or the ledger failed verification', 'the store is busy; nothing was recorded, try again'],
};

function errorResponse(status: number): ResponseObject {
  const [description, message] = ERRORS[status];
  return {
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' }, example: { statusCode: status, message: [message] } } },
  };
}

interface RouteInfo {
  controller: Function;
  handler: string;
  body?: Function;
  query?: Function;
  isPublic: boolean;
  roles: string[];
}

function routeInfos(app: INestApplication): Map<string, RouteInfo> {
  const infos = new Map<string, RouteInfo>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Function | null;
      if (!controller?.prototype) continue;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[name];
        if (typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const args: Record<string, { index: number }> = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {};
        const types: Function[] = Reflect.getMetadata('design:paramtypes', controller.prototype, name) ?? [];
        const arg = (type: RouteParamtypes) => {
          const found = Object.entries(args).find(([key]) => key.startsWith(`${type}:`));
          const t = found ? types[found[1].index] : undefined;
          return t && t !== Object ? t : undefined;
        };
        infos.set(`${controller.name}.${name}`, {
          controller,
          handler: name,
          body: arg(RouteParamtypes.BODY),
          query: arg(RouteParamtypes.QUERY),
          isPublic: Boolean(Reflect.getMetadata(PUBLIC_KEY, handler) ?? Reflect.getMetadata(PUBLIC_KEY, controller)),
          roles: Reflect.getMetadata(ROLES_KEY, handler) ?? Reflect.getMetadata(ROLES_KEY, controller) ?? [],
        });
      }
    }
  }
  return infos;
}

/** CSV answers, by route: the routes that also answer text/csv (Accept or ?format=csv). */
const CSV_ROUTES = new Set(['GET /api/agencies/{agencyId}/status', 'GET /api/agencies/{agencyId}/reminders', 'GET /api/agencies/{agencyId}/officers']);

/** Routes whose answer is a file, by route: its media type. */
const FILE_ROUTES: Record<string, string> = { 'GET /api/agencies/{agencyId}/evidence': 'application/zip' };

export function buildOpenApiDocument(app: INestApplication, version = '0.1.0'): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('sro-compliance API')
    .setDescription(
      'The compliance ledger of School Resource Officers (Minn. Stat. 626.8482). Every route but GET /api/health needs `Authorization: Bearer <token>` ' +
        '(a token is made with the CLI: `token create --agency <id> --role <role> --name <label>`), bound to one agency and one role. ' +
        'Writes answer 201 {eventId, recordedAt}; send an Idempotency-Key to make a retry safe. The contract in prose: docs/reference.md.',
    )
    .setVersion(version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'a token from `token create`; only its SHA-256 is stored' }, 'bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config, { operationIdFactory: (controller, method) => `${controller}.${method}` });
  const infos = routeInfos(app);
  const components = (document.components ??= {});
  const schemas: Record<string, SchemaObject> = {};
  schemas.Error = ERROR_SCHEMA;
  schemas.WriteResult = WRITE_RESULT;
  for (const [path, item] of Object.entries(document.paths)) {
    // The console's pages (HTML, outside /api) are not part of the API.
    if (!path.startsWith('/api/') && path !== '/api') {
      delete document.paths[path];
      continue;
    }
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = item[method] as OperationObject | undefined;
      if (!operation) continue;
      const info = infos.get(operation.operationId ?? '');
      if (!info) throw new Error(`OpenAPI: no controller method for ${operation.operationId}`);
      describeOperation(`${method.toUpperCase()} ${path}`, operation, info, schemas);
    }
  }
  components.schemas = { ...(components.schemas ?? {}), ...schemas };
  // The DTO placeholders @nestjs/swagger made from the parameter types (no @ApiProperty) are replaced by the schemas above.
  for (const name of Object.keys(components.schemas)) if (!(name in schemas)) delete components.schemas[name];
  return document;
}

function describeOperation(key: string, operation: OperationObject, info: RouteInfo, schemas: Record<string, SchemaObject>): void {
  const [method, path] = key.split(' ');
  operation.summary = key;
  operation.tags = [path.startsWith('/api/ledger') ? 'ledger' : path.includes('/officers') ? 'officers' : path === '/api/health' || path.startsWith('/api/health') ? 'health' : 'agencies'];
  const pathParams: ParameterObject[] = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string', pattern: ID_PATTERN.source },
  }));
  const queryParams: ParameterObject[] = [];
  if (info.query) {
    const schema = schemaOfDto(info.query, schemas);
    for (const [name, s] of Object.entries(schema.properties ?? {})) {
      queryParams.push({ name, in: 'query', required: (schema.required ?? []).includes(name), schema: s as SchemaObject, ...((s as SchemaObject).description ? { description: (s as SchemaObject).description } : {}) });
    }
  }
  const csv = CSV_ROUTES.has(key);
  operation.parameters = [...pathParams, ...queryParams];
  const headers: ParameterObject[] = [];
  if (method === 'POST') {
    headers.push({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' }, description: 'makes a retry safe: the retry gets the first answer' });
    headers.push({ name: 'X-Correlation-Id', in: 'header', required: false, schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' }, description: "recorded as the event's correlationId" });
  }
  headers.push({ name: 'X-Request-Id', in: 'header', required: false, schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,128}$' }, description: "the request's id in the server's log, echoed back (one is made when absent)" });
  operation.parameters.push(...headers);
  if (info.body) {
    const name = info.body.name;
    schemas[name] ??= schemaOfDto(info.body, schemas);
    operation.requestBody = {
      required: true,
      content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` }, example: exampleOf(schemas[name], '', schemas) } },
    };
  } else {
    delete operation.requestBody;
  }
  operation.security = info.isPublic ? [] : [{ bearer: [] }];
  if (!info.isPublic) operation.description = `Roles: ${info.roles.join(', ')}.`;
  const responses: Record<string, ResponseObject> = {};
  if (method === 'POST') {
    responses['201'] = { description: 'recorded', content: { 'application/json': { schema: { $ref: '#/components/schemas/WriteResult' }, example: { eventId: '198a0517-5aee-4279-850f-f202d1da4a78', recordedAt: '2026-11-27T23:36:36.378Z' } } } };
  } else {
    responses['200'] = FILE_ROUTES[key]
      ? { description: 'the file', content: { [FILE_ROUTES[key]]: { schema: { type: 'string', format: 'binary' } } } }
      : {
          description: 'the answer',
          content: { 'application/json': { schema: { type: 'object' } }, ...(csv ? { 'text/csv': { schema: { type: 'string' } } } : {}) },
        };
  }
  const errors = info.isPublic ? [400, 503] : method === 'POST' ? [400, 401, 403, 404, 409, 413, 415, 422, 429, 503] : [400, 401, 403, 404, 429];
  for (const status of errors) responses[String(status)] = errorResponse(status);
  operation.responses = responses;
}

/** Serves the document at /api/openapi.json and Swagger UI at /api/docs. */
export function serveOpenApi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup(OPENAPI_UI_PATH, app, document, {
    useGlobalPrefix: false,
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    yamlDocumentUrl: 'api/openapi.yaml',
    customSiteTitle: 'sro-compliance API',
  });
}
