/**
 * RFC 8785 canonical JSON, byte for byte what the `canonicalize` package (2.x) gives, written for
 * the hash chain's hot path (every append and every verification hashes one event each;
 * docs/integrity.md, docs/performance.md "The chain's cost").
 *
 * Where the time went in `canonicalize` (a CPU profile of hashing the peer bench's events): its
 * `reduce` callbacks rebuild the member string with a template per member (one short-lived
 * string each, most of the garbage collector's share), `Object.keys(...).sort()` sorts keys that
 * are usually few, and every key goes through `JSON.stringify`. Here: keys already in order are
 * not sorted (a check of n-1 comparisons), short keys are sorted by insertion, one string is
 * built per object or array, and a string or key needing no escape is quoted by hand.
 *
 * Anything that is not plain JSON data (a `toJSON` method, a function, a symbol, a bigint,
 * a non-finite number) is handed to `canonicalize` itself for that value, so those cases give
 * exactly its output or its error. Pure: no I/O.
 */
import canonicalize from 'canonicalize';

/** Text JSON writes as itself between quotes: printable ASCII but for the quote and the backslash. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * `JSON.stringify` of a string (RFC 8785 §3.2.2.2 is that function): printable ASCII without `"`
 * or `\` is quoted by hand (a third of the time), anything else (escapes, non-ASCII, lone
 * surrogates) by JSON.stringify.
 */
export function quoteJson(text: string): string {
  return PLAIN.test(text) ? `"${text}"` : JSON.stringify(text);
}

/** Keys in UTF-16 code unit order (what Array.prototype.sort does by default), sorted in place. */
function sortKeys(keys: string[]): string[] {
  const n = keys.length;
  let sorted = true;
  for (let i = 1; i < n; i++) {
    if (keys[i - 1] > keys[i]) {
      sorted = false;
      break;
    }
  }
  if (sorted) return keys;
  if (n > 16) return keys.sort();
  // Insertion sort: the keys of one event's data are few (and distinct).
  for (let i = 1; i < n; i++) {
    const key = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > key) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

/** What `canonicalize` writes for a value inside a template (its `undefined` included, as it does). */
const byCanonicalize = (value: unknown): string => `${canonicalize(value)}`;

/**
 * The canonical JSON text of `value`. Returns `undefined` where `canonicalize` does (a top-level
 * `undefined`, function or symbol), and throws where it throws (NaN, ±Infinity, a bigint).
 */
export function canonicalJson(value: unknown): string | undefined {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return canonicalize(value);
  return write(value);
}

function write(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quoteJson(value);
    case 'number':
      // Finite numbers: ECMAScript's Number-to-String (-0 gives "0"), as JSON.stringify and RFC 8785 write them.
      return Number.isFinite(value) ? '' + value : byCanonicalize(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      // canonicalize's own test for a toJSON method (instanceof, not typeof: the same objects).
      if ((value as { toJSON?: unknown }).toJSON instanceof Function) return byCanonicalize(value);
      return Array.isArray(value) ? writeArray(value) : writeObject(value as Record<string, unknown>);
    default:
      // undefined, function, symbol, bigint inside a container: canonicalize's own answer.
      return byCanonicalize(value);
  }
}

function writeArray(array: unknown[]): string {
  let out = '[';
  for (let i = 0; i < array.length; i++) {
    // A hole (never in parsed JSON): canonicalize's reduce skips it, so its output is its own.
    if (!(i in array)) return byCanonicalize(array);
    const item = array[i];
    if (i > 0) out += ',';
    out += item === undefined || typeof item === 'symbol' ? 'null' : write(item);
  }
  return out + ']';
}

function writeObject(object: Record<string, unknown>): string {
  const keys = sortKeys(Object.keys(object));
  let out = '{';
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const member = object[key];
    if (member === undefined || typeof member === 'symbol') continue;
    if (first) first = false;
    else out += ',';
    out += quoteJson(key) + ':' + write(member);
  }
  return out + '}';
}
