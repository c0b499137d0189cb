/** The free-text rules (decisions W13): what `@IsPlainText()` refuses, and that it stores NFC. */
import { plainToInstance } from 'class-transformer';
import { IsString, validateSync } from 'class-validator';
import fc from 'fast-check';
import { IsPlainText, plainTextProblem, toNfc } from '../../src/common/plain-text';

class Named {
  @IsString() @IsPlainText() name!: string;
  @IsString({ each: true }) @IsPlainText({ each: true }) schools!: string[];
}

const check = (plain: object) => {
  const instance = plainToInstance(Named, plain);
  return { instance, messages: validateSync(instance).flatMap((e) => Object.values(e.constraints ?? {})) };
};

describe('plainTextProblem', () => {
  it.each([
    ['   ', 'must not be blank'],
    ['\u00a0\u2003\u3000', 'must not be blank'],
    ['\u200b\u200d\u2060\ufeff', 'must not be blank'],
    ['', 'must not be blank'],
    ['a\u0000', 'must not contain control characters (line breaks, tabs and other C0/C1 codes)'],
    ['two\nlines', 'must not contain control characters (line breaks, tabs and other C0/C1 codes)'],
    ['\t', 'must not contain control characters (line breaks, tabs and other C0/C1 codes)'],
    ['a\u007f', 'must not contain control characters (line breaks, tabs and other C0/C1 codes)'],
    ['a\u0085', 'must not contain control characters (line breaks, tabs and other C0/C1 codes)'],
    ['\u001b[1;31m', 'must not contain terminal escape sequences (ESC, CSI)'],
    ['\u009b1m', 'must not contain terminal escape sequences (ESC, CSI)'],
    ['abc\u202Efdp.exe', 'must not contain Unicode bidirectional control characters (U+202A-U+202E, U+2066-U+2069)'],
    ['\u2066isolate\u2069', 'must not contain Unicode bidirectional control characters (U+202A-U+202E, U+2066-U+2069)'],
    ['\ud83d', 'must be well-formed Unicode text'],
    ['x\udc00', 'must be well-formed Unicode text'],
    // A letter lost in a conversion (an Excel file read in the wrong encoding): never recorded (decisions W34).
    ['Jos\ufffd Pe\ufffda', 'must not contain “\ufffd” (U+FFFD), the mark a program leaves where it could not read a letter: type the text as it is spelled'],
  ])('refuses %j: %s', (value, problem) => {
    expect(plainTextProblem(value)).toBe(problem);
  });

  it.each(['Jordan Doe', "O'Brien-Łukasz", 'Zoë', 'Tsev Kawm Ntawv', '學校', 'مدرسة', 'שלום', '🏫 School', 'a b', 'v2025-10 (rev. 2)', 'cert.pdf'])('takes %j', (value) => {
    expect(plainTextProblem(value)).toBeUndefined();
  });

  it('takes every string of ordinary characters (property)', () => {
    const ordinary = fc.string({ unit: fc.constantFrom(...'abcXYZ 09-_.,()\'éñüßøæ學校🏫ΩЖ'), minLength: 1 }).filter((s) => s.trim() !== '');
    fc.assert(fc.property(ordinary, (s) => plainTextProblem(s) === undefined), { seed: 7, numRuns: 300 });
  });

  it('refuses every string holding a forbidden character (property)', () => {
    const bad = fc.constantFrom(...'\u0000\u0001\u0009\u000a\u000d\u001b\u001f\u007f\u0080\u009b\u009f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069'.split(''));
    fc.assert(
      fc.property(fc.string(), bad, fc.string(), (before, c, after) => plainTextProblem(before + c + after) !== undefined),
      { seed: 8, numRuns: 300 },
    );
  });
});

describe('@IsPlainText()', () => {
  it('normalises to NFC before validating, for a string and for each string of an array', () => {
    const { instance, messages } = check({ name: 'Jose\u0301', schools: ['E\u0301cole', 'Cafe\u0301'] });
    expect(messages).toEqual([]);
    expect(instance.name).toBe('Jos\u00e9');
    expect(instance.schools).toEqual(['\u00c9cole', 'Caf\u00e9']);
  });

  it('names the field and the class of the refused character', () => {
    expect(check({ name: 'a\u202Eb', schools: ['ok'] }).messages).toEqual(['name must not contain Unicode bidirectional control characters (U+202A-U+202E, U+2066-U+2069)']);
    expect(check({ name: 'ok', schools: ['ok', ' '] }).messages).toEqual(['each value in schools must not be blank']);
  });

  it('leaves non-strings to @IsString', () => {
    expect(check({ name: 5, schools: [1] }).messages).toEqual(['name must be a string', 'each value in schools must be a string']);
  });

  it('toNfc is idempotent and gives NFC (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const once = toNfc(s) as string;
        return once === once.normalize('NFC') && toNfc(once) === once;
      }),
      { seed: 9, numRuns: 300 },
    );
  });
});
