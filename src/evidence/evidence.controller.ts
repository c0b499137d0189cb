/**
 * GET /api/agencies/:agencyId/evidence?asOf=&knownAt= (admin, auditor, chief, investigator):
 * the agency's evidence packet, a zip sent as it is written (docs/reference.md; evidence-packet.ts).
 */
import { Controller, Get, Param, Query, Req, Res, StreamableFile } from '@nestjs/common';
import type { Response } from 'express';
import type { AuthenticatedRequest } from '../auth/auth.guard';
import { Roles } from '../auth/roles.decorator';
import { AgencyPath } from '../common/paths';
import { resolveTimeAxes, TimeAxesDto } from '../read/time-axes';
import { EvidencePackets } from './evidence-packet';

@Controller('agencies/:agencyId/evidence')
export class EvidenceController {
  constructor(private readonly packets: EvidencePackets) {}

  @Get()
  @Roles('admin', 'auditor', 'chief', 'investigator')
  async evidence(@Param() path: AgencyPath, @Query() query: TimeAxesDto, @Req() request: AuthenticatedRequest, @Res({ passthrough: true }) response: Response): Promise<StreamableFile> {
    const grant = request.grant!;
    const header = request.headers['x-request-id'];
    const packet = await this.packets.make(path.agencyId, resolveTimeAxes(query), {
      principal: { kind: 'token', id: grant.tokenId, name: grant.name, role: grant.role },
      route: 'GET /api/agencies/:agencyId/evidence',
      requestId: typeof header === 'string' ? header.slice(0, 128) : null,
    });
    response.setHeader('Content-Type', 'application/zip');
    response.setHeader('Content-Disposition', `attachment; filename="${packet.fileName}"`);
    // A client that goes away mid-way: the zip is ended, and its temporary files removed.
    response.once('close', () => packet.zip.destroy());
    return new StreamableFile(packet.zip);
  }
}
