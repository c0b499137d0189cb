/**
 * Input validation shared by every DTO: calendar dates, identifiers, and the global pipe that
 * turns class-validator failures into 400 `{statusCode, message: [field messages]}`
 * (docs/reference.md#errors).
 */
import { ValidationPipe } from '@nestjs/common';
import { Matches, registerDecorator, ValidationError, ValidationOptions } from 'class-validator';
import { ID_PATTERN } from '../../events/streams';
import { isLocalDate } from '../../projections';

/**
 * A date the product accepts as input: a real calendar date `YYYY-MM-DD` (the engine's one
 * definition, projections' isLocalDate) in the years 1900 to 2199.
 */
export function isAcceptedDate(value: unknown): value is string {
  return isLocalDate(value) && /^(19|20|21)/.test(value);
}

/** True for an ISO-8601 instant with a zone (`Z` or `±hh:mm`), e.g. 2026-03-01T23:59:59.999-06:00. */
export function isInstant(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:\d\d)$/.test(value) &&
    isAcceptedDate(value.slice(0, 10)) &&
    !Number.isNaN(Date.parse(value))
  );
}

/** A property decorator from a predicate and its default message. */
function decoratorFrom(name: string, validate: (value: unknown) => boolean, message: string) {
  return (options?: ValidationOptions): PropertyDecorator =>
    (target, propertyName) =>
      registerDecorator({ name, target: target.constructor, propertyName: propertyName as string, options: { message, ...options }, validator: { validate } });
}

export const IsLocalDate = decoratorFrom('isLocalDate', isAcceptedDate, '$property must be a real calendar date in the form YYYY-MM-DD');
export const IsInstant = decoratorFrom(
  'isInstant',
  isInstant,
  '$property must be an ISO-8601 instant with a time zone, e.g. 2026-03-01T23:59:59.999-06:00',
);

/** Identifiers become part of stream names: letters, digits, '.', '_', '-', at most 64. */
export const IsIdentifier = (): PropertyDecorator =>
  Matches(ID_PATTERN, { message: '$property must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit' });

/**
 * class-validator's own wording of list rules, which reached people as "schools must contain at
 * least 1 elements", in plain words (docs/decisions.md W36); every other message is the DTO's.
 */
export function messageInWords(message: string): string {
  return message
    .replace(/^(.+?) must contain at least 1 elements$/, '$1 must list at least one')
    .replace(/^(.+?) must contain at least (\d+) elements$/, '$1 must list at least $2')
    .replace(/^(.+?) must contain no more than (\d+) elements$/, '$1 must list at most $2')
    .replace(/^All (.+?)'s elements must be unique$/, '$1 must not list the same one twice');
}

/** The global pipe: Nest's, with the list rules' messages in words (the 400 shape is unchanged). */
class ValidationPipeInWords extends ValidationPipe {
  protected override flattenValidationErrors(errors: ValidationError[]): string[] {
    return super.flattenValidationErrors(errors).map(messageInWords);
  }

  /** The field messages of class-validator's errors, exactly as this pipe words them in a 400. */
  messagesOf(errors: ValidationError[]): string[] {
    return this.flattenValidationErrors(errors);
  }
}

/** What the DTOs are validated with, on the routes (the pipe) and in the import (validationMessages). */
export const VALIDATION = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true } as const;

export function createValidationPipe(): ValidationPipeInWords {
  return new ValidationPipeInWords({ ...VALIDATION, transform: true, transformOptions: { enableImplicitConversion: false } });
}

const wording = createValidationPipe();

/**
 * The field messages of a validation outside a request (the import's rows), from the global
 * pipe's own wording: one implementation of the messages a 400 carries (docs/decisions.md W41).
 */
export const validationMessages = (errors: ValidationError[]): string[] => wording.messagesOf(errors);

/**
 * True for a whole number in plain decimal digits from min to max (a count in a query string).
 * `Number()` would also take '', '1e3', '0x10', ' 5' and '2.0'; a count is only ever digits.
 */
export function isPlainInteger(value: unknown, min: number, max: number): value is string {
  return typeof value === 'string' && /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max;
}

/** A query-string count (see isPlainInteger), with one message: the format's, or the range's for digits out of range. */
export const IsPlainInteger =
  (min: number, max: number, unit: string): PropertyDecorator =>
  (target, propertyName) =>
    registerDecorator({
      name: 'isPlainInteger',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value) => isPlainInteger(value, min, max),
        defaultMessage: (args) =>
          typeof args?.value === 'string' && /^\d+$/.test(args.value) ? `$property must be from ${min} to ${max} ${unit}` : `$property must be a whole number of ${unit}`,
      },
    });
