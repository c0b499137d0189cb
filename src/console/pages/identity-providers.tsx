/**
 * Page: Identity providers, `/identity-providers` (admin; docs/console.md; docs/decisions.md W56,
 * W59): the agency's OpenID Connect providers (name, issuer, client ID, groups claim, which group
 * gives which role), the redirect URI to register at the provider, a form to add one (the client
 * secret is sealed at once and never shown again), a button to remove each, and whether people
 * may still sign in with a password. The same as the CLI's `idp add|list|remove`.
 */
import { Body, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { IdentityProviders, type ProviderShown } from '../../identity/identity-providers';
import { Refusal } from '../../write/refusals';
import { ConsoleRequest, ConsoleRoles } from '../console.guard';
import { CONSOLE_OPTIONS, type ConsoleOptions } from '../console-options';
import { ConsoleController, ConsolePage } from '../console-page';
import { CsrfField, instantInWords, Page, Problems, renderPage, ROLE_WORDS, type Person } from '../layout';
import { CALLBACK_PATH } from './provider-sign-in';
import { linkBase } from './people';

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

interface Props {
  person: Person;
  csrf: string;
  notice?: string;
  problems?: string[];
  values?: Record<string, string>;
  providers: ProviderShown[];
  passwordsAllowed: boolean;
  redirectUri: string;
}

function ProvidersPage(props: Props) {
  const v = props.values ?? {};
  return (
    <Page title="Identity providers" person={props.person} csrf={props.csrf} current="/identity-providers" notice={props.notice}>
      <h1>Identity providers</h1>
      <p>
        People of agency {props.person.agencyId} can sign in through your organisation's identity provider (Entra ID, Okta, Google Workspace): the sign-in page shows a button "Sign in with
        &lt;name&gt;" for each provider below. Register this product at the provider with the redirect URI <code>{props.redirectUri}</code> and the scopes <code>openid email profile</code>.
      </p>
      <section aria-labelledby="list-heading">
        <h2 id="list-heading">Providers of this agency</h2>
        {props.providers.length === 0 ? (
          <p>None yet: people sign in with their email and password.</p>
        ) : (
          <table>
            <caption>Each provider, and which of its groups gives which role here (the first group a person has decides)</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Issuer</th>
                <th scope="col">Client ID</th>
                <th scope="col">Groups claim</th>
                <th scope="col">Group → role</th>
                <th scope="col">Added</th>
                <th scope="col">Remove</th>
              </tr>
            </thead>
            <tbody>
              {props.providers.map((p) => (
                <tr data-provider={p.name}>
                  <th scope="row">{p.name}</th>
                  <td>{p.issuer}</td>
                  <td>{p.clientId}</td>
                  <td>{p.groupsClaim}</td>
                  <td>
                    <ul>
                      {p.roles.map((r) => (
                        <li>
                          {r.group} → {ROLE_WORDS[r.role]}
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td>
                    {instantInWords(p.addedAt)} by {p.addedBy}
                  </td>
                  <td>
                    <form method="post" action="/identity-providers/remove">
                      <CsrfField csrf={props.csrf} />
                      <input type="hidden" name="name" value={p.name} />
                      <button type="submit">Remove {p.name}</button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="passwords-heading">
        <h2 id="passwords-heading">Passwords</h2>
        <form method="post" action="/identity-providers/passwords" class="stack narrow">
          <CsrfField csrf={props.csrf} />
          {props.passwordsAllowed ? (
            <>
              <p>People of this agency may sign in with a password (as well as through a provider).</p>
              <input type="hidden" name="allowed" value="no" />
              <p class="hint">Turn passwords off once everyone signs in through a provider: then only the provider's button works. Removing the last provider turns them back on.</p>
              <button type="submit">Turn password sign-in off</button>
            </>
          ) : (
            <>
              <p>Password sign-in is off: people of this agency sign in through a provider only.</p>
              <input type="hidden" name="allowed" value="yes" />
              <button type="submit">Turn password sign-in back on</button>
            </>
          )}
        </form>
      </section>
      <section aria-labelledby="add-heading">
        <h2 id="add-heading">Add a provider</h2>
        <form method="post" action="/identity-providers/add" class="stack narrow">
          <Problems messages={props.problems} />
          <CsrfField csrf={props.csrf} />
          <div class="field">
            <label for="idp-name">Name (the button says "Sign in with" and this name)</label>
            <input id="idp-name" name="name" required value={v.name ?? ''} />
          </div>
          <div class="field">
            <label for="idp-issuer">Issuer URL</label>
            <input id="idp-issuer" name="issuer" type="url" required value={v.issuer ?? ''} />
          </div>
          <div class="field">
            <label for="idp-client-id">Client ID</label>
            <input id="idp-client-id" name="clientId" required value={v.clientId ?? ''} />
          </div>
          <div class="field">
            <label for="idp-client-secret">Client secret (kept sealed; never shown again)</label>
            <input id="idp-client-secret" name="clientSecret" type="password" autoComplete="off" required />
          </div>
          <div class="field">
            <label for="idp-groups-claim">Groups claim (groups, or roles for Entra app roles)</label>
            <input id="idp-groups-claim" name="groupsClaim" value={v.groupsClaim ?? 'groups'} />
          </div>
          <div class="field">
            <label for="idp-roles">Group → role, one per line as group=role (roles: admin, auditor, chief, investigator)</label>
            <textarea id="idp-roles" name="roles" rows={4} required>
              {v.roles ?? ''}
            </textarea>
          </div>
          <button type="submit">Add provider</button>
        </form>
      </section>
    </Page>
  );
}

@ConsoleController('identity-providers')
@ConsoleRoles('admin')
export class IdentityProvidersPageController {
  constructor(
    private readonly providers: IdentityProviders,
    @Inject(CONSOLE_OPTIONS) private readonly options: ConsoleOptions,
  ) {}

  @ConsolePage({ roles: ['admin'], nav: { href: '/identity-providers', label: 'Identity providers', order: 6 } })
  async page(@Req() request: ConsoleRequest, @Res() response: Response): Promise<void> {
    const kept = request.session!.providersRefused;
    request.session!.providersRefused = undefined;
    await this.render(request, response, kept?.status ?? 200, kept ? { problems: kept.problems } : {});
  }

  @Post('add')
  @HttpCode(200)
  async add(@Req() request: ConsoleRequest, @Body() body: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const person = request.person!;
    const values = { name: text(body.name), issuer: text(body.issuer), clientId: text(body.clientId), groupsClaim: text(body.groupsClaim), roles: text(body.roles) };
    const roles = values.roles.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    try {
      const added = await this.providers.add({ agencyId: person.agencyId, ...values, clientSecret: text(body.clientSecret), roles }, person.email);
      request.session!.notice = `Provider ${added.name} added: the sign-in page shows "Sign in with ${added.name}". Try it in a private window before turning passwords off.`;
      response.redirect(303, '/identity-providers');
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      // Shown on this answer (not kept): the values come back, never the secret.
      await this.render(request, response, error.status, { problems: error.messages, values });
    }
  }

  @Post('remove')
  @HttpCode(200)
  async remove(@Req() request: ConsoleRequest, @Body() body: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const person = request.person!;
    try {
      const { provider, passwordsBackOn } = await this.providers.remove(person.agencyId, text(body.name), person.email);
      request.session!.notice = `Provider ${provider.name} removed.${passwordsBackOn ? ' It was the last one: password sign-in is on again.' : ''}`;
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      request.session!.providersRefused = { status: error.status, problems: error.messages };
    }
    response.redirect(303, '/identity-providers');
  }

  @Post('passwords')
  @HttpCode(200)
  async passwords(@Req() request: ConsoleRequest, @Body() body: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const person = request.person!;
    const allowed = text(body.allowed) === 'yes';
    try {
      await this.providers.setPasswordSignIn(person.agencyId, allowed, person.email);
      request.session!.notice = allowed ? 'Password sign-in is on again.' : 'Password sign-in is off: people of this agency sign in through a provider only.';
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      request.session!.providersRefused = { status: error.status, problems: error.messages };
    }
    response.redirect(303, '/identity-providers');
  }

  private async render(request: ConsoleRequest, response: Response, status: number, props: { problems?: string[]; values?: Record<string, string> }): Promise<void> {
    const person = request.person!;
    const notice = request.session!.notice;
    request.session!.notice = undefined;
    const [providers, passwordsAllowed] = await Promise.all([this.providers.list(person.agencyId), this.providers.passwordSignInAllowed(person.agencyId)]);
    response
      .status(status)
      .type('html')
      .send(
        renderPage(
          <ProvidersPage person={person} csrf={request.session!.csrf} notice={notice} providers={providers} passwordsAllowed={passwordsAllowed} redirectUri={`${linkBase(this.options, request)}${CALLBACK_PATH}`} {...props} />,
        ),
      );
  }
}
