/**
 * The agency's public page, GET /public/:agencyId, and its latest checkpoint for witnesses, GET
 * /public/:agencyId/checkpoint.txt (docs/reference.md "Public page"; docs/decisions.md W67-W68):
 * no sign-in, no session cookie, cacheable for five minutes, one heading structure, printable (the
 * console's stylesheet, which hides nothing on this page). A 404 while the agency's page is off
 * (the default: `agency public --agency <id> --on`).
 */
import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { renderToString } from 'preact-render-to-string';
import { Public } from '../auth/roles.decorator';
import { AgencyPath } from '../common/paths';
import { PublicFacts, PublicFactsService } from './public-facts';

const CACHE = 'public, max-age=300';

function PublicPage({ facts }: { facts: PublicFacts }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${facts.agencyName}: School Resource Officers`}</title>
        <link rel="stylesheet" href="/assets/console.css" />
      </head>
      <body>
        <main id="main">
          <h1>{facts.agencyName}: School Resource Officers</h1>
          <p class="sentence">
            As of {facts.today} (today in Minnesota), from the agency's records as they stood at {facts.at} (UTC).
          </p>
          <h2>The agency's SRO policy</h2>
          {facts.policy ? (
            <p>
              The SRO policy in force is version <strong>{facts.policy.version}</strong>, adopted on <strong>{facts.policy.adoptedOn}</strong>
              {facts.policy.modelRevision ? `, following the POST Board model SRO policy of ${facts.policy.modelRevision}` : ''}. Minn. R. 6700.1615 subp. 2 asks law
              enforcement agencies to make their required policies available to the public: ask the agency for its text.
            </p>
          ) : (
            <p>No SRO policy version is in force in the agency's records today.</p>
          )}
          <h2>Schools where an SRO is assigned today</h2>
          {facts.schools.length === 0 ? (
            <p>No school has an SRO assigned today.</p>
          ) : (
            <ul>
              {facts.schools.map((school) => (
                <li>{school}</li>
              ))}
            </ul>
          )}
          <p>This is the public notification of where School Resource Officers serve. It names no officer and says nothing of any officer's training or records.</p>
          <h2>Checking the agency's records</h2>
          <p>
            The agency's records are kept in a signed ledger. Its latest signed checkpoint is at <a href={`/public/${facts.agencyId}/checkpoint.txt`}>checkpoint.txt</a>; keep a
            copy to prove later that the records it covers were not changed. Checkpoints and evidence packets are checked with this verifier key:
          </p>
          <p>
            <code>{facts.verifierKey}</code>
          </p>
        </main>
      </body>
    </html>
  );
}

@Controller('public')
@Public()
export class PublicPageController {
  constructor(private readonly facts: PublicFactsService) {}

  @Get(':agencyId')
  @Header('Cache-Control', CACHE)
  async page(@Param() path: AgencyPath, @Res() response: Response): Promise<void> {
    const facts = await this.facts.facts(path.agencyId);
    response.type('html').send(`<!doctype html>${renderToString(<PublicPage facts={facts} />)}`);
  }

  @Get(':agencyId/checkpoint.txt')
  @Header('Cache-Control', 'public, max-age=60')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  checkpoint(@Param() path: AgencyPath): Promise<string> {
    return this.facts.checkpoint(path.agencyId);
  }
}
