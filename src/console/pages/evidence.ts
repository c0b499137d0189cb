/**
 * The dashboard's "Download the evidence packet" (docs/console.md; docs/reference.md "Evidence
 * packet"): GET /evidence?asOf=&knownAt= sends the agency's packet for the two times the dashboard
 * shows, as GET /api/agencies/:agencyId/evidence does, recorded in the access log under the person.
 */
import { Query, Req, Res, StreamableFile } from '@nestjs/common';
import type { Response } from 'express';
import { EvidencePackets } from '../../evidence/evidence-packet';
import { Invalid } from '../../write/refusals';
import { pageAxes } from '../console-axes';
import { ConsoleController, ConsolePage } from '../console-page';
import type { ConsoleRequest } from '../console.guard';

@ConsoleController('evidence')
export class EvidencePageController {
  constructor(private readonly packets: EvidencePackets) {}

  @ConsolePage({ roles: ['admin', 'auditor', 'chief', 'investigator'] })
  async download(@Req() request: ConsoleRequest, @Query() query: Record<string, unknown>, @Res({ passthrough: true }) response: Response): Promise<StreamableFile> {
    const axes = pageAxes(query);
    // A date or instant that is not one: a page saying which, in words (the console's error page), never a packet for other times.
    if (axes.problems.length > 0) throw new Invalid(axes.problems.map((p) => p.replace(/; showing (today|now|the records as they stand now)( instead)?$/, '')));
    const person = request.person!;
    const packet = await this.packets.make(person.agencyId, axes.axes, { principal: { kind: 'person', id: person.userId, name: person.name, role: person.role }, route: 'GET /evidence', requestId: null });
    response.setHeader('Content-Type', 'application/zip');
    response.setHeader('Content-Disposition', `attachment; filename="${packet.fileName}"`);
    // A client that goes away mid-way: the zip is ended, and its temporary files removed.
    response.once('close', () => packet.zip.destroy());
    return new StreamableFile(packet.zip);
  }
}
