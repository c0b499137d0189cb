/**
 * `__proto__`, `constructor` and `prototype` are refused as keys, at any depth, like any other
 * unknown field ("property __proto__ should not exist"), instead of being dropped in silence by
 * class-transformer (decisions W13). JSON.parse makes `__proto__` an ordinary own key, so the
 * body arrives with it; no DTO has such a field, and a request that sends one is not one we
 * understand.
 */
import { ArgumentMetadata, BadRequestException, HttpException, PipeTransform } from '@nestjs/common';

export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** One message per forbidden key found in a parsed JSON value (or query object), with its path. */
export function forbiddenKeyMessages(value: unknown): string[] {
  const messages: string[] = [];
  // Iterative: the body parser bounds the depth, but a query object or a caller's value may not be.
  const pending: Array<[unknown, string]> = [[value, '']];
  while (pending.length > 0 && messages.length < 20) {
    const [node, path] = pending.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    for (const key of Object.keys(node)) {
      const child = path === '' ? key : `${path}.${key}`;
      if (FORBIDDEN_KEYS.has(key)) messages.push(`property ${child} should not exist`);
      else pending.push([(node as Record<string, unknown>)[key], child]);
    }
  }
  return messages.sort();
}

/**
 * Wraps the validation pipe: a body or query with a forbidden key is a 400 whose messages are the
 * validation pipe's own (if any) followed by one per forbidden key.
 */
export class ForbiddenKeysPipe implements PipeTransform {
  constructor(private readonly inner: PipeTransform) {}

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const forbidden = metadata.type === 'body' || metadata.type === 'query' ? forbiddenKeyMessages(value) : [];
    if (forbidden.length === 0) return this.inner.transform(value, metadata);
    let others: string[] = [];
    try {
      await this.inner.transform(value, metadata);
    } catch (error) {
      if (!(error instanceof HttpException) || error.getStatus() !== 400) throw error;
      const message = (error.getResponse() as { message?: unknown }).message;
      others = Array.isArray(message) ? message.map(String) : typeof message === 'string' ? [message] : [];
    }
    throw new BadRequestException([...new Set([...others, ...forbidden])]);
  }
}
