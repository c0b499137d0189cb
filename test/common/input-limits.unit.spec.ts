/** The body parser's depth scan, the forbidden keys, and the limits read from the environment (decisions W13). */
import fc from 'fast-check';
import { forbiddenKeyMessages } from '../../src/common/forbidden-keys';
import { authFailureLimit, jsonLimitBytes, UsageError } from '../../src/config';
import { nestingExceeds } from '../../src/http/json-body';

/** Depth of a parsed JSON value: 0 for a scalar, 1 for a flat object or array. */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  return 1 + Math.max(0, ...Object.values(value as object).map(depthOf));
}

describe('nestingExceeds', () => {
  const bytes = (text: string) => Buffer.from(text, 'utf8');

  it('counts objects and arrays, not brackets inside strings or escaped quotes', () => {
    expect(nestingExceeds(bytes('{"a":[[1]]}'), 3)).toBe(false);
    expect(nestingExceeds(bytes('{"a":[[[1]]]}'), 3)).toBe(true);
    expect(nestingExceeds(bytes(`{"a":"${'['.repeat(50)}"}`), 1)).toBe(false);
    expect(nestingExceeds(bytes(`{"a":"\\"[[[[","b":1}`), 1)).toBe(false);
    expect(nestingExceeds(bytes(`{"a":"\\\\","b":[[1]]}`), 2)).toBe(true);
    expect(nestingExceeds(bytes('{"ünïcödé 學校":[1]}'), 2)).toBe(false);
  });

  it('agrees with the depth of the parsed value, for any JSON (property)', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (text, max) => nestingExceeds(bytes(text), max) === depthOf(JSON.parse(text)) > max),
      { seed: 11, numRuns: 500 },
    );
  });
});

describe('forbiddenKeyMessages', () => {
  it('finds __proto__, constructor and prototype at any depth, with their path', () => {
    expect(forbiddenKeyMessages(JSON.parse('{"a":1,"__proto__":{"x":1},"b":[{"constructor":1}],"c":{"d":{"prototype":2}}}'))).toEqual([
      'property __proto__ should not exist',
      'property b.0.constructor should not exist',
      'property c.d.prototype should not exist',
    ]);
    expect(forbiddenKeyMessages({ name: 'constructor', list: ['prototype'] })).toEqual([]);
    expect(forbiddenKeyMessages(null)).toEqual([]);
  });
});

describe('limits from the environment', () => {
  it('SRO_JSON_LIMIT: bytes, or with kb / mb; default 64 KB; out of range is a usage error', () => {
    expect(jsonLimitBytes({})).toBe(65536);
    expect(jsonLimitBytes({ SRO_JSON_LIMIT: '2048' })).toBe(2048);
    expect(jsonLimitBytes({ SRO_JSON_LIMIT: '128kb' })).toBe(131072);
    expect(jsonLimitBytes({ SRO_JSON_LIMIT: '1MB' })).toBe(1048576);
    for (const bad of ['0', '100', '17mb', '1.5kb', 'lots', '-1']) expect(() => jsonLimitBytes({ SRO_JSON_LIMIT: bad })).toThrow(UsageError);
  });

  it('SRO_AUTH_FAILURE_LIMIT and SRO_AUTH_FAILURE_WINDOW: default 20 per 60 s; whole numbers only', () => {
    expect(authFailureLimit({})).toEqual({ limit: 20, windowSeconds: 60 });
    expect(authFailureLimit({ SRO_AUTH_FAILURE_LIMIT: '5', SRO_AUTH_FAILURE_WINDOW: '300' })).toEqual({ limit: 5, windowSeconds: 300 });
    for (const bad of ['0', '-3', '2.5', 'x']) {
      expect(() => authFailureLimit({ SRO_AUTH_FAILURE_LIMIT: bad })).toThrow(UsageError);
      expect(() => authFailureLimit({ SRO_AUTH_FAILURE_WINDOW: bad })).toThrow(UsageError);
    }
  });
});
