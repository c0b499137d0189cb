/**
 * @WriteCtx(), what the HTTP edge and the write slices share: the WriteContext of a write (src/write/ledger-writer.ts: who is
 * writing, for which agency, under which correlation and idempotency key) taken from the request
 * once: the authenticated grant, the path's agency, the Idempotency-Key and X-Correlation-Id
 * headers (visible ASCII, 1-255 characters, or a 400). Here, not in src/http, so that no slice
 * imports the HTTP bootstrap; the grant is read by its shape, so that src/common needs no src/auth
 * (docs/decisions.md W45).
 */
import { BadRequestException, createParamDecorator, ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { WriteContext } from '../write/ledger-writer';

const HEADER_VALUE = /^[\x21-\x7e]{1,255}$/;

export const WriteCtx = createParamDecorator((_: unknown, context: ExecutionContext): WriteContext => {
  const request = context.switchToHttp().getRequest<Request & { grant?: { name: string } }>();
  const idempotencyKey = request.header('idempotency-key');
  const correlationId = request.header('x-correlation-id');
  const messages: string[] = [];
  if (idempotencyKey !== undefined && !HEADER_VALUE.test(idempotencyKey)) messages.push('Idempotency-Key must be 1-255 visible ASCII characters');
  if (correlationId !== undefined && !HEADER_VALUE.test(correlationId)) messages.push('X-Correlation-Id must be 1-255 visible ASCII characters');
  if (messages.length) throw new BadRequestException(messages);
  return {
    agencyId: String(request.params.agencyId),
    recordedBy: request.grant!.name,
    correlationId: correlationId ?? randomUUID(),
    idempotencyKey,
  };
});
