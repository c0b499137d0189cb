/**
 * A real OpenID Connect provider for the tests (oidc-provider 9, in the test's own process; jest
 * transpiles the ES module, jest.config.js): an issuer on 127.0.0.1 with a port of its own, one
 * confidential client (client_secret_basic, PKCE required, as oidc-provider requires it), an RS256
 * key the test holds (to craft tokens it signs, or that another key signs), and people whose
 * claims the test sets (email, email_verified, groups). Its sign-in page is a plain form
 * ("Username", button "Continue at the provider") that finishes the interaction with login and
 * consent at once. `tamper` rewrites the ID token of the next token answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, decodeJwt, decodeProtectedHeader, type JWK } from 'jose';
import Provider from 'oidc-provider';

export interface TestPerson {
  email?: string;
  email_verified?: boolean;
  name?: string;
  groups?: string[];
  roles?: string[];
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  people: Map<string, TestPerson>;
  /** Rewrites the ID token of the next token answer (then cleared). */
  tamper?: (idToken: string) => Promise<string>;
  /** Signs claims with the provider's own key (a token it could have issued). */
  signWithProviderKey(claims: Record<string, unknown>): Promise<string>;
  /** Signs claims with another key that claims the provider's key id. */
  signWithOtherKey(claims: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

const formOf = (req: IncomingMessage): Promise<URLSearchParams> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });

export async function startTestProvider(redirectUris: string[]): Promise<TestProvider> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const other = await generateKeyPair('RS256', { extractable: true });
  const kid = `test-${randomUUID().slice(0, 8)}`;
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const people = new Map<string, TestPerson>();
  const clientId = `sro-${randomUUID().slice(0, 8)}`;
  const clientSecret = `secret-${randomUUID()}`;

  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: redirectUris, response_types: ['code'], grant_types: ['authorization_code'], token_endpoint_auth_method: 'client_secret_basic' }],
    jwks: { keys: [jwk] },
    // Scope claims in the ID token itself (the groups claim comes there, as Entra and Okta send it).
    conformIdTokenClaims: false,
    claims: { openid: ['sub', 'groups', 'roles'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: (_ctx: unknown, sub: string) => {
      const person = people.get(sub);
      if (!person) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...person }) };
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    cookies: { keys: [randomUUID()] },
    ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
  });
  provider.proxy = false;
  const callback = provider.callback();

  const test: TestProvider = {
    issuer,
    clientId,
    clientSecret,
    people,
    async signWithProviderKey(claims) {
      return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(privateKey);
    },
    async signWithOtherKey(claims) {
      return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(other.privateKey);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', issuer);
      const interaction = /^\/interaction\/([^/]+)$/.exec(url.pathname);
      if (interaction && req.method === 'GET') {
        await provider.interactionDetails(req, res);
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(
          `<!doctype html><html lang="en"><head><title>Test provider</title></head><body><h1>Test identity provider</h1><form method="post" action="${url.pathname}"><label for="login">Username</label><input id="login" name="login"><button type="submit">Continue at the provider</button></form></body></html>`,
        );
        return;
      }
      if (interaction && req.method === 'POST') {
        const details = await provider.interactionDetails(req, res);
        const accountId = (await formOf(req)).get('login') ?? '';
        if (!people.has(accountId)) {
          await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'unknown user' }, { mergeWithLastSubmission: false });
          return;
        }
        const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
        grant.addOIDCScope(String(details.params.scope));
        const grantId = await grant.save();
        await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
        return;
      }
      if (url.pathname === '/token' && test.tamper) {
        const tamper = test.tamper;
        test.tamper = undefined;
        const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
        (res as { end: unknown }).end = (chunk?: unknown) => {
          const body = JSON.parse(Buffer.from(chunk as Buffer).toString('utf8')) as { id_token?: string };
          if (!body.id_token) return end(chunk);
          void tamper(body.id_token).then((idToken) => {
            const text = JSON.stringify({ ...body, id_token: idToken });
            res.setHeader('content-length', Buffer.byteLength(text));
            end(text);
          });
          return res;
        };
      }
      callback(req, res);
    })().catch((error: Error) => {
      res.statusCode = 500;
      res.end(error.message);
    });
  });
  return test;
}

/** The claims and header of a token (to craft a changed one). */
export const tokenParts = (token: string) => ({ claims: decodeJwt(token) as Record<string, unknown>, header: decodeProtectedHeader(token) });
