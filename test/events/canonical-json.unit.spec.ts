/** events/canonical-json.ts gives, for any value, exactly what the `canonicalize` package gives (or throws what it throws). */
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalJson, quoteJson } from '../../events/canonical-json';

/** The outcome of a serialiser: its text, or the error it threw. */
function outcome(serialise: (value: unknown) => string | undefined, value: unknown): { text?: string; error?: string } {
  try {
    return { text: serialise(value) };
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
}
const same = (value: unknown) => expect(outcome(canonicalJson, value)).toEqual(outcome(canonicalize, value));

it('random JSON values (the data events carry): the same text', () => {
  fc.assert(fc.property(fc.jsonValue(), same), { numRuns: 3000 });
});

it('random JSON with any Unicode, lone surrogates and many keys: the same text', () => {
  const text = fc.string({ unit: 'binary' });
  const tree = fc.letrec((tie) => ({
    leaf: fc.oneof(text, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(-0)),
    node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node'), { maxLength: 5 }), fc.dictionary(text, tie('node'), { maxKeys: 24 })),
  })).node;
  fc.assert(fc.property(tree, same), { numRuns: 3000 });
});

it('anything JavaScript holds (undefined, functions, symbols, bigints, Dates, boxed values, null prototypes): the same text or the same error', () => {
  fc.assert(fc.property(fc.anything({ withBigInt: true, withDate: true, withBoxedValues: true, withNullPrototype: true, withObjectString: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withUnicodeString: true }), same), {
    numRuns: 3000,
  });
});

it.each<[string, unknown]>([
  ['NaN', NaN],
  ['Infinity', { a: [Infinity] }],
  ['a bigint', { a: 1n }],
  ['a Date (toJSON)', { when: new Date(Date.UTC(2026, 0, 2)) }],
  ['a toJSON returning an object', { a: { toJSON: () => ({ z: 1, a: 2 }) } }],
  ['members undefined, a function and a symbol', { a: undefined, b: () => 1, c: Symbol('s'), d: 1 }],
  ['array items undefined, a function and a symbol', [undefined, () => 1, Symbol('s'), 1]],
  ['a sparse array (a hole first, one in the middle)', [, 1, , 3]], // eslint-disable-line no-sparse-arrays
  ['integer-like keys (string order, not numeric)', { 10: 'a', 9: 'b', 1: 'c', b: 1, a: 2 }],
  ['more than sixteen keys in reverse order', Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${40 - i}`, i]))],
  ['astral against BMP keys (UTF-16 order)', { '\uffff': 1, '😀': 2, é: 3, z: 4 }],
  ['top-level undefined, function, symbol', undefined],
  ['-0 and exponents', [-0, 1e21, 1e-7, 5e-324, 0.1 + 0.2]],
  ['escapes', { '"\\\n\u0000\u001f\u007f\u2028': '"\\\n\u0000\u001f\u007f\u2028\ud800' }],
])('%s: the same text or error', (_name, value) => same(value));

it('quoteJson is JSON.stringify of a string', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => expect(quoteJson(text)).toBe(JSON.stringify(text))), { numRuns: 3000 });
  for (const text of ['', 'a"b', 'a\\b', '\u007f', '\u001f', ' ~', 'é', '\ud83d']) expect(quoteJson(text)).toBe(JSON.stringify(text));
});
