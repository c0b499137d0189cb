/**
 * An import row's body and path, validated as a route's are (the same DTO classes, the global
 * ValidationPipe's options and wording: src/common/validation.ts), synchronously: the DTOs have
 * no async constraints, and a million awaited validations would cost more than the inserts.
 */
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { VALIDATION, validationMessages } from '../common/validation';
import { Invalid, Refusal } from '../write/refusals';
import type { Ctor } from './import-types';

export function validated<T extends object>(cls: new () => T, plain: unknown, what: string): T {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) throw new Invalid([`${what} must be a JSON object`]);
  const instance = plainToInstance(cls, plain, { enableImplicitConversion: false });
  const errors = validateSync(instance, VALIDATION);
  if (errors.length > 0) throw new Invalid(validationMessages(errors));
  return instance;
}

/**
 * Path validation, remembered per distinct path: validation is a pure function of the values,
 * and an import repeats one officer's path for each of its rows (about 40 in the benchmark).
 * Bounded: cleared when full. Outcomes are kept both ways (a refusal is rethrown).
 */
const pathOutcomes = new Map<string, Refusal | null>();
const MAX_PATH_OUTCOMES = 10_000;

export function validatedPath(cls: Ctor, path: Record<string, unknown>): void {
  const values = Object.values(path);
  // Only plain strings are remembered (the key must identify the input exactly).
  const key = values.every((v) => typeof v === 'string') ? `${cls.name}${JSON.stringify(path)}` : undefined;
  const known = key === undefined ? undefined : pathOutcomes.get(key);
  if (known === null) return;
  if (known) throw known;
  try {
    validated(cls, path, 'path');
    if (key !== undefined) remember(key, null);
  } catch (error) {
    if (key !== undefined && error instanceof Refusal) remember(key, error);
    throw error;
  }
}

function remember(key: string, outcome: Refusal | null): void {
  if (pathOutcomes.size >= MAX_PATH_OUTCOMES) pathOutcomes.clear();
  pathOutcomes.set(key, outcome);
}

export function validatedOrThrow<T extends object>(cls: new () => T, plain: unknown): T {
  try {
    return validated(cls, plain, 'options');
  } catch (error) {
    throw new RangeError((error as Error).message);
  }
}
