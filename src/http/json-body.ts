/**
 * The request body parser of every route (it replaces Nest's default parsers; decisions W13).
 * A body is JSON or it is refused, and every refusal is a 4xx with one clear message that never
 * echoes the input, logged as one warning line (never a stack):
 * - 415: a Content-Type other than `application/json` (a form-encoded or text body; a charset
 *   other than UTF-8), or a Content-Encoding other than identity, gzip, deflate or br;
 * - 413: a body over the limit (default 64 KB, SRO_JSON_LIMIT), counted after decompression, so
 *   a small gzip bomb is a 413 too;
 * - 400: a body that is not JSON, that does not decompress with its Content-Encoding, that nests
 *   objects or arrays deeper than MAX_JSON_DEPTH (checked on the bytes, before parsing), or whose
 *   top level is not an object.
 * A request without a body gets `{}` (its route answers with field messages); a GET or HEAD with
 * a body is a 400 (no read route takes one).
 * A multipart body on a route of MULTIPART_ROUTES (the certificate PDF,
 * docs/reference.md#post-apiagenciesagencyidofficersofficeridtrainingstrainingidcertificate) is
 * left to that route's own parser (src/officers/file-certificate.ts); anywhere else it is a 415.
 */
import express, { NextFunction, Request, RequestHandler, Response } from 'express';
import { LoggedClientError } from '../common/http-errors.filter';

/** The deepest body a route takes is 2 levels (an object holding an array of strings); 16 leaves room. */
export const MAX_JSON_DEPTH = 16;
export const CONTENT_ENCODINGS: readonly string[] = ['identity', 'gzip', 'deflate', 'br'];
/** Paths (with the /api prefix) that also take multipart/form-data, parsed by their own route (the certificate upload). */
export const MULTIPART_ROUTES: readonly RegExp[] = [/^\/api\/agencies\/[^/]+\/officers\/[^/]+\/trainings\/[^/]+\/certificate\/?$/];

export interface JsonBodyOptions {
  /** Largest body, in bytes after decompression. */
  limitBytes: number;
  maxDepth?: number;
}

class TooDeepError extends Error {
  readonly type = 'entity.too.deep';
}

export function jsonBody(options: JsonBodyOptions): RequestHandler {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  const parse = express.json({
    limit: options.limitBytes,
    strict: true,
    inflate: true,
    // The media type and charset are checked below, before reading.
    type: () => true,
    verify: (_req, _res, buffer) => {
      if (nestingExceeds(buffer, maxDepth)) throw new TooDeepError();
    },
  });
  const refusals = refusalMessages(options.limitBytes, maxDepth);
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.is('multipart/form-data') && MULTIPART_ROUTES.some((route) => route.test(req.path))) {
      next();
      return;
    }
    if (!hasBody(req)) {
      req.body = {};
      next();
      return;
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      // No read route takes a body (their input is the query string): one sent is a mistake, not ignored.
      next(new LoggedClientError(400, [`a ${req.method} request takes no body (send the parameters in the query string)`]));
      return;
    }
    const refused = headerRefusal(req);
    if (refused) {
      next(refused);
      return;
    }
    parse(req, res, (error?: unknown) => {
      if (error) {
        next(mapParserError(error, refusals));
        return;
      }
      if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
        next(new LoggedClientError(400, ['body must be a JSON object']));
        return;
      }
      next();
    });
  };
}

/** A body is there when the request has one of at least one byte (Content-Length: 0 is none). */
function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function headerRefusal(req: Request): LoggedClientError | undefined {
  const [mediaType, ...parameters] = (req.headers['content-type'] ?? '').split(';').map((part) => part.trim().toLowerCase());
  if (mediaType !== 'application/json') {
    return new LoggedClientError(415, ['Content-Type must be application/json']);
  }
  const charset = parameters.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/^"|"$/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    return new LoggedClientError(415, ['Content-Type must be application/json in UTF-8 (charset=utf-8, or no charset)']);
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (!CONTENT_ENCODINGS.includes(encoding)) {
    return new LoggedClientError(415, [`Content-Encoding must be one of ${CONTENT_ENCODINGS.join(', ')}`]);
  }
  return undefined;
}

function refusalMessages(limitBytes: number, maxDepth: number) {
  const size = limitBytes % 1024 === 0 ? `${limitBytes / 1024} KB` : `${limitBytes} bytes`;
  return {
    tooLarge: `body must be at most ${size} of JSON`,
    tooDeep: `body must not nest objects or arrays more than ${maxDepth} levels deep`,
    notJson: 'body must be valid JSON',
    undecodable: 'body could not be read with its Content-Encoding and Content-Length',
  };
}

/** body-parser's errors (http-errors with a `type`) as our 4xx; anything else is left for a 500. */
function mapParserError(error: unknown, messages: ReturnType<typeof refusalMessages>): unknown {
  if (error instanceof TooDeepError) return new LoggedClientError(400, [messages.tooDeep]);
  const { type, status } = error as { type?: unknown; status?: unknown };
  switch (type) {
    case 'entity.too.large':
      return new LoggedClientError(413, [messages.tooLarge]);
    case 'charset.unsupported':
      return new LoggedClientError(415, ['Content-Type must be application/json in UTF-8 (charset=utf-8, or no charset)']);
    case 'encoding.unsupported':
      return new LoggedClientError(415, [`Content-Encoding must be one of ${CONTENT_ENCODINGS.join(', ')}`]);
    case 'entity.parse.failed':
      return new LoggedClientError(400, [messages.notJson]);
  }
  // request.aborted, request.size.invalid (Content-Length mismatch), a zlib error (bad gzip): the client's bytes.
  if (typeof status === 'number' && status >= 400 && status < 500) return new LoggedClientError(400, [messages.undecodable]);
  return error;
}

/**
 * True when the JSON text nests `{`/`[` deeper than max. Scans the UTF-8 bytes (a quote,
 * backslash or bracket is never part of a multi-byte character), skipping strings.
 */
export function nestingExceeds(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}
