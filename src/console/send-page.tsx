/**
 * A console answer that is a page: rendered with the signed-in person and the session's CSRF token
 * taken from the request (docs/console.md), so no page passes them to its layout or forms by hand.
 */
import type { Response } from 'express';
import type { VNode } from 'preact';
import type { ConsoleRequest } from './console.guard';
import { renderPage, type SignedIn } from './layout';

/** Who is signed in on this request, for `renderPage` (nothing before sign-in). */
export const signedInOf = (request: ConsoleRequest): SignedIn => ({ person: request.person, csrf: request.session?.csrf });

/** Sends `page` as this request's HTML answer, with `status` (200 unless a refusal's). */
export function sendPage(request: ConsoleRequest, response: Response, page: VNode, status = 200): void {
  response.status(status).type('html').send(renderPage(page, signedInOf(request)));
}
