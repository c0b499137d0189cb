/**
 * Free text that cannot deceive (decisions W13): names, schools, reasons, file names, versions,
 * providers, course numbers. Such a value is shown to auditors and chiefs, printed by the CLI,
 * written to CSV and hashed into the ledger, so it must read the same everywhere:
 * - it is normalised to Unicode NFC before validation, so "Jose\u0301" is stored (and hashed) as
 *   "José", and two spellings of one name are one string;
 * - it is refused when it is blank (only white space or invisible characters), or holds a control
 *   character (C0 U+0000-U+001F, DEL, C1 U+0080-U+009F: line breaks, tabs, terminal escape
 *   sequences), a bidirectional embedding, override or isolate (U+202A-U+202E, U+2066-U+2069,
 *   which make "txt.exe" read "exe.txt"), a lone UTF-16 surrogate (not text; PostgreSQL's
 *   jsonb refuses it), or U+FFFD (a letter lost in a conversion: recorded, it would stay wrong
 *   in the immutable ledger; decisions W34).
 * `@IsPlainText()` does both (a class-transformer @Transform and a class-validator constraint),
 * for the HTTP routes (the ValidationPipe transforms) and the bulk import (plainToInstance) alike.
 */
import { Transform } from 'class-transformer';
import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const ESCAPE = /[\u001b\u009b]/;
const BIDI = /[\u202a-\u202e\u2066-\u2069]/;
// U+FFFD: what a decoder puts where it could not read a letter (a name damaged on its way in; decisions W34).
const REPLACEMENT = /\ufffd/;
// With the u flag a surrogate pair is one code point; only a lone surrogate matches.
const LONE_SURROGATE = /[\ud800-\udfff]/u;
// White space (\s covers the Unicode spaces and U+FEFF) and the zero-width characters.
const INVISIBLE = /^[\s\u200b-\u200d\u2060]*$/;

/** Unicode NFC of a string, or of each string of an array; anything else unchanged (the type checks report it). */
export function toNfc(value: unknown): unknown {
  if (typeof value === 'string') return value.normalize('NFC');
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v.normalize('NFC') : v));
  return value;
}

/** Why a string is not plain text (ends a sentence that starts with the field's name), or undefined when it is. */
export function plainTextProblem(value: string): string | undefined {
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode text';
  if (ESCAPE.test(value)) return 'must not contain terminal escape sequences (ESC, CSI)';
  if (CONTROL.test(value)) return 'must not contain control characters (line breaks, tabs and other C0/C1 codes)';
  if (BIDI.test(value)) return 'must not contain Unicode bidirectional control characters (U+202A-U+202E, U+2066-U+2069)';
  if (REPLACEMENT.test(value)) return 'must not contain “\ufffd” (U+FFFD), the mark a program leaves where it could not read a letter: type the text as it is spelled';
  if (INVISIBLE.test(value)) return 'must not be blank';
  return undefined;
}

function problemOf(value: unknown): string | undefined {
  const values = Array.isArray(value) ? value : [value];
  for (const v of values) {
    const problem = typeof v === 'string' ? plainTextProblem(v) : undefined;
    if (problem) return problem;
  }
  return undefined;
}

/**
 * A free-text field: NFC-normalised, then refused if blank or holding control, escape or bidi
 * characters (one field message naming the class). Non-strings pass here: `@IsString()` beside it
 * reports them. For an array of strings use `@IsPlainText({ each: true })`.
 */
export function IsPlainText(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) => {
    Transform(({ value }) => toNfc(value))(target, propertyName);
    registerDecorator({
      name: 'isPlainText',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || plainTextProblem(value) === undefined,
        defaultMessage: (args?: ValidationArguments) =>
          `${Array.isArray(args?.value) ? 'each value in ' : ''}$property ${problemOf(args?.value) ?? 'must be plain text'}`,
      },
    });
  };
}
