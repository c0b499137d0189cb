/**
 * Reading a text file a person saved (the CSV import, docs/reference.md "Importing a CSV file"):
 * which encoding its bytes are in, which delimiter separates its columns, and whether it is text
 * at all (docs/decisions.md W34).
 *
 * - Encoding: a byte-order mark decides (UTF-8, UTF-16 LE, UTF-16 BE: Excel's "CSV UTF-8" and
 *   "Unicode text"); without one, bytes that are valid UTF-8 are UTF-8, and any other bytes are
 *   Windows-1252 (Excel's "CSV (Comma delimited)" on Windows, in the United States).
 * - Delimiter: a tab when the header line holds more tabs than commas (Excel's "Unicode text" is
 *   tab-separated), else a comma.
 * - Not text: what no text file holds is refused with the line it is on, before any row is
 *   imported, so nothing of the file is recorded: U+FFFD (the mark a decoder leaves for bytes it
 *   could not read: the bytes 0x81, 0x8D, 0x8F, 0x90, 0x9D of Windows-1252, or a letter already
 *   lost before the file was saved), NUL (a binary file, or UTF-16 without its byte-order mark),
 *   a lone UTF-16 surrogate, and a UTF-16 file of an odd number of bytes. Other control
 *   characters (an ESC in a cell) are the fields' concern: the row is refused with its field's
 *   message (src/common/plain-text.ts), as an HTTP write would be.
 */
import iconv from 'iconv-lite';
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface TextFormat {
  encoding: TextEncoding;
  /** The file began with a byte-order mark (always so for UTF-16 here). */
  bom: boolean;
  delimiter: ',' | '\t';
}

/** The encodings in the words the import shows. */
export const ENCODING_WORDS: Record<TextEncoding, string> = {
  'utf-8': 'UTF-8',
  'utf-16le': 'UTF-16 little-endian (Excel’s “Unicode text”)',
  'utf-16be': 'UTF-16 big-endian',
  'windows-1252': 'Windows-1252 (Excel’s “CSV (Comma delimited)” on Windows)',
};

/** "UTF-8 with a byte-order mark, comma-separated": how the file was read, in a sentence's words. */
export function formatInWords(format: TextFormat): string {
  const bom = format.encoding === 'utf-8' && format.bom ? ' with a byte-order mark' : '';
  return `${ENCODING_WORDS[format.encoding]}${bom}, ${format.delimiter === '\t' ? 'tab-separated' : 'comma-separated'}`;
}

/** The file is not text in any encoding the import reads: its message is a sentence for the person who chose the file. */
export class NotTextError extends Error {}

const SAVE_AGAIN = 'Open it in Excel and use Save As → “CSV UTF-8 (Comma delimited)”, then import that file. Nothing was recorded.';

function notText(line: number, found: string): NotTextError {
  if (found === '\ufffd') {
    return new NotTextError(
      `Line ${line} of the file holds “\ufffd”, the mark a program leaves where it could not read a letter (the bytes are not UTF-8, UTF-16 or Windows-1252 text, or a name was damaged before the file was saved). Correct that line; or, if the names look right in Excel, open the file in Excel and use Save As → “CSV UTF-8 (Comma delimited)”, then import that file. Nothing was recorded.`,
    );
  }
  if (found === '\u0000') {
    return new NotTextError(
      `This file cannot be read as text: line ${line} holds a NUL byte, which no CSV holds, so the file may be a spreadsheet (.xlsx), UTF-16 text without its byte-order mark, or another kind of file. ${SAVE_AGAIN}`,
    );
  }
  return new NotTextError(`This file cannot be read as text: line ${line} holds half of a UTF-16 letter (a lone surrogate), so the file is damaged. ${SAVE_AGAIN}`);
}

/** A UTF-16 file of an odd number of bytes: its last letter is cut (iconv-lite would drop the byte in silence). */
const cutShort = (): NotTextError =>
  new NotTextError(`This file cannot be read as text: it ends in the middle of a letter (it is UTF-16, two bytes a letter, and has an odd number of bytes), so it was cut short or damaged. ${SAVE_AGAIN}`);

const NOT_TEXT = /[\u0000\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Checks decoded text piece by piece (a whole file, or a stream's chunks): the first character
 * that is not text, with its line. A high surrogate at the end of a piece waits for the next.
 */
class TextCheck {
  private line = 1;
  private carry = '';
  /** The first line (the header), to choose the delimiter. */
  header = '';
  private headerDone = false;
  problem: NotTextError | undefined;

  add(piece: string, last = false): void {
    let text = this.carry + piece;
    this.carry = '';
    if (!last && /[\ud800-\udbff]$/.test(text)) {
      this.carry = text.slice(-1);
      text = text.slice(0, -1);
    }
    if (!this.headerDone) {
      const end = text.indexOf('\n');
      this.header += end < 0 ? text : text.slice(0, end);
      this.headerDone = end >= 0 || this.header.length > 65_536;
    }
    if (this.problem) return;
    const found = NOT_TEXT.exec(text);
    if (found) {
      this.problem = notText(this.line + countLines(text.slice(0, found.index)), found[0]);
      return;
    }
    this.line += countLines(text);
  }

  delimiter(): ',' | '\t' {
    return delimiterOf(this.header);
  }
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** A tab when the header line holds more tabs than commas (outside double quotes), else a comma. */
export function delimiterOf(headerLine: string): ',' | '\t' {
  let tabs = 0;
  let commas = 0;
  let quoted = false;
  for (const c of headerLine) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '\t') tabs++;
    else if (!quoted && c === ',') commas++;
  }
  return tabs > commas ? '\t' : ',';
}

/** The encoding a byte-order mark announces, if the bytes begin with one. */
function bomOf(head: Buffer): TextEncoding | undefined {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return undefined;
}

/** A whole file's bytes as text (its byte-order mark removed), and how it was read; NotTextError when it is not text. */
export function decodeTextFile(bytes: Buffer): { text: string; format: TextFormat } {
  const announced = bomOf(bytes);
  const encoding: TextEncoding = announced ?? (isUtf8(bytes) ? 'utf-8' : 'windows-1252');
  if (encoding.startsWith('utf-16') && bytes.length % 2 === 1) throw cutShort();
  const text = iconv.decode(bytes, encoding, { stripBOM: true });
  const check = new TextCheck();
  check.add(text, true);
  if (check.problem) throw check.problem;
  return { text, format: { encoding, bom: announced !== undefined, delimiter: check.delimiter() } };
}

/**
 * How a file on disk is to be read, checked to its last byte before any of it is imported (so a
 * file refused as not text records nothing, even in an import that records row by row). It is
 * read once as UTF-8 (or as its byte-order mark says), and once more as Windows-1252 only when
 * its bytes turn out not to be UTF-8. Memory stays bounded: the file is streamed.
 */
export async function textFileFormat(path: string): Promise<TextFormat> {
  const first = await scan(path, undefined);
  if (first !== 'not-utf-8') return first;
  const second = await scan(path, 'windows-1252');
  if (second === 'not-utf-8') throw new Error('unreachable: Windows-1252 decodes every byte');
  return second;
}

async function scan(path: string, forced: TextEncoding | undefined): Promise<TextFormat | 'not-utf-8'> {
  const check = new TextCheck();
  let encoding: TextEncoding | undefined = forced;
  let bom = false;
  let decode: ((chunk: Buffer) => string | undefined) | undefined;
  let finish: (() => string | undefined) | undefined;
  let pending = Buffer.alloc(0);
  let size = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (!decode) {
      // The byte-order mark is looked for in the first bytes, however the stream cut them.
      pending = Buffer.concat([pending, chunk]);
      if (pending.length < 3) continue;
      ({ encoding, bom, decode, finish } = decoderFor(pending, encoding));
      const text = decode(pending);
      if (text === undefined) return 'not-utf-8';
      check.add(text);
      continue;
    }
    const text = decode(chunk);
    if (text === undefined) return 'not-utf-8';
    check.add(text);
  }
  if (!decode) {
    ({ encoding, bom, decode, finish } = decoderFor(pending, encoding));
    const text = decode(pending);
    if (text === undefined) return 'not-utf-8';
    check.add(text);
  }
  const rest = finish!();
  if (rest === undefined) return 'not-utf-8';
  check.add(rest, true);
  if (check.problem) throw check.problem;
  if (encoding!.startsWith('utf-16') && size % 2 === 1) throw cutShort();
  return { encoding: encoding!, bom, delimiter: check.delimiter() };
}

function decoderFor(
  head: Buffer,
  forced: TextEncoding | undefined,
): { encoding: TextEncoding; bom: boolean; decode: (chunk: Buffer) => string | undefined; finish: () => string | undefined } {
  const announced = forced ? undefined : bomOf(head);
  if (!forced && !announced) {
    // No byte-order mark: UTF-8 while every byte says so (a fatal decoder throws at the first that does not).
    const utf8 = new TextDecoder('utf-8', { fatal: true });
    const attempt = (run: () => string): string | undefined => {
      try {
        return run();
      } catch {
        return undefined;
      }
    };
    return { encoding: 'utf-8', bom: false, decode: (chunk) => attempt(() => utf8.decode(chunk, { stream: true })), finish: () => attempt(() => utf8.decode()) };
  }
  const encoding = forced ?? announced!;
  const decoder = iconv.getDecoder(encoding, { stripBOM: true });
  return { encoding, bom: announced !== undefined, decode: (chunk) => decoder.write(chunk), finish: () => decoder.end() ?? '' };
}

/** The file's text as a stream of strings, read as `format` says (its byte-order mark removed). */
export function textFileStream(path: string, format: TextFormat): NodeJS.ReadableStream {
  return createReadStream(path).pipe(iconv.decodeStream(format.encoding, { stripBOM: true }));
}
