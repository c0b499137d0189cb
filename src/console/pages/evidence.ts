/**
 * The dashboard's "Download the evidence packet" (docs/console.md; docs/reference.md "Evidence
 * packet"): GET /evidence?asOf=&knownAt= sends the agency's packet for the two times the dashboard
 * shows, as GET /api/agencies/:agencyId/evidence does, recorded in the access log under the person.
 */
import { Query, Req, Res, StreamableFile } from '@nestjs/common';
import type { Response } from 'express';
import { EvidencePackets } from '../../evidence/evidence-packet';
import { pageAxes } from '../console-axes';
import { ConsoleController, ConsolePage } from '../console-page';
import type { ConsoleRequest } from '../console.guard';

@ConsoleController('evidence')
export class EvidencePageController {
  constructor(private readonly packets: EvidencePackets) {}

  @ConsolePage({ roles: ['admin', 'auditor', 'chief', 'investigator'] })
  async download(@Req() request: ConsoleRequest, @Query() query: Record<string, unknown>, @Res({ passthrough: true }) response: Response): Promise<StreamableFile | void> {
    const axes = pageAxes(query);
    if (axes.problems.length > 0) {
      // The dashboard says what is wrong with the two times, in words.
      response.redirect(303, `/?${new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string')).toString()}`);
      return;
    }
    const person = request.person!;
    const packet = await this.packets.make(person.agencyId, axes.axes, { principal: { kind: 'person', id: person.userId, name: person.name, role: person.role }, route: 'GET /evidence', requestId: null });
    response.setHeader('Content-Type', 'application/zip');
    response.setHeader('Content-Disposition', `attachment; filename="${packet.fileName}"`);
    return new StreamableFile(packet.zip);
  }
}
