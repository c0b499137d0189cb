/**
 * proofs.json read as it is inflated (docs/decisions.md W75): one inclusion proof per event, a
 * hundred thousand of them for a 2,500-officer agency, is about 120 MB of text and several times
 * that once parsed whole. This splits the text of a JSON object, given in pieces, into the
 * elements of the array under one top-level key (each element's text, given back as soon as it
 * ends, for JSON.parse) and the rest of the object, the skeleton, in which each of those elements
 * is replaced by `0`. Nothing is judged here: JSON.parse of each element and of the skeleton says
 * whether the whole was JSON, and what it held.
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;
const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

export class JsonArrayMembers {
  /** The object's text without the array's elements (each one `0`). */
  skeleton = '';
  /** The object's text up to and with the `[` that opens the first array under the key (undefined until then): with `]}` added, the members before it. */
  head?: string;
  /** How many arrays were found under the key (JSON.parse keeps the last of duplicate keys: more than one must be refused). */
  arrays = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The last string token read directly in the top-level object (a key, if a colon follows). */
  private lastString?: string;
  private stringParts?: string;
  private key?: string;
  private inArray = false;
  private element?: { kind: 'nested' | 'string' | 'scalar'; parts: string };

  constructor(private readonly arrayKey: string) {}

  /** The next piece of text; the elements that ended in it. */
  push(text: string): string[] {
    const out: string[] = [];
    let skeletonFrom = 0;
    let elementFrom = 0;
    let stringFrom = 0;
    const start = (i: number, kind: 'nested' | 'string' | 'scalar') => {
      this.skeleton += `${text.slice(skeletonFrom, i)}0`;
      this.element = { kind, parts: '' };
      elementFrom = i;
    };
    const end = (i: number) => {
      out.push(this.element!.parts + text.slice(elementFrom, i));
      this.element = undefined;
      skeletonFrom = i;
    };
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.stringParts !== undefined) {
            this.lastString = this.stringParts + text.slice(stringFrom, i + 1);
            this.stringParts = undefined;
          }
          if (this.element?.kind === 'string') end(i + 1);
        }
        continue;
      }
      if (this.element?.kind === 'scalar') {
        if (c !== COMMA && c !== RBRACKET && !isSpace(c)) continue;
        end(i);
      }
      const element = this.element !== undefined;
      const atArray = this.inArray && this.depth === 2 && !element;
      switch (c) {
        case QUOTE:
          this.inString = true;
          if (atArray) start(i, 'string');
          else if (this.depth === 1 && !element) {
            this.stringParts = '';
            stringFrom = i;
          }
          break;
        case LBRACE:
        case LBRACKET:
          if (atArray) start(i, 'nested');
          else if (c === LBRACKET && this.depth === 1 && this.key === this.arrayKey) {
            this.inArray = true;
            if (this.arrays++ === 0) this.head = this.skeleton + text.slice(skeletonFrom, i + 1);
          }
          this.depth++;
          break;
        case RBRACE:
        case RBRACKET:
          this.depth--;
          if (this.element?.kind === 'nested' && this.depth === 2) end(i + 1);
          else if (this.inArray && !element && this.depth === 1) this.inArray = false;
          break;
        case COLON:
          if (this.depth === 1 && !element) {
            try {
              this.key = this.lastString === undefined ? undefined : (JSON.parse(this.lastString) as string);
            } catch {
              this.key = undefined;
            }
          }
          break;
        case COMMA:
          if (this.depth === 1 && !element) {
            this.key = undefined;
            this.lastString = undefined;
          }
          break;
        default:
          if (atArray && !isSpace(c)) start(i, 'scalar');
      }
    }
    if (this.element) this.element.parts += text.slice(elementFrom);
    else this.skeleton += text.slice(skeletonFrom);
    if (this.stringParts !== undefined) this.stringParts += text.slice(stringFrom);
    return out;
  }

  /** The text ended: a number or literal element still open ends here. */
  end(): string[] {
    if (this.element?.kind !== 'scalar') return [];
    const last = this.element.parts;
    this.element = undefined;
    return [last];
  }
}
