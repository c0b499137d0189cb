/**
 * What the agency's public page states (docs/reference.md "Public page"; docs/decisions.md W67):
 * the SRO policy version in force today and its adoption date (Minn. R. 6700.1615 subp. 2 asks
 * agencies to post their required policies), and the schools where an SRO is assigned today (the
 * public notification the POST Board model policy asks contracts to establish). No officer's name,
 * count per school or compliance detail: the schools are merged across officers.
 */
import { Injectable, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { agencyRecordsKnownAt, localDateAt, MINNESOTA_TIME_ZONE, officerOnDay } from '../../projections';
import { AccessRegistry } from '../auth/access-registry';
import { CheckpointService } from '../ledger/checkpoint-service';
import { LedgerReader } from '../read/ledger-reader';
import { toLedgerEvent } from '../read-models/ledger-event';

export interface PublicFacts {
  agencyId: string;
  agencyName: string;
  today: string;
  at: string;
  policy: { version: string; adoptedOn: string; modelRevision?: string } | null;
  schools: string[];
  /** The verifier key that checks the agency ledger's checkpoints (what a packet is checked with). */
  verifierKey: string;
}

@Injectable()
export class PublicFactsService {
  constructor(
    private readonly registry: AccessRegistry,
    private readonly reader: LedgerReader,
    private readonly checkpoints: CheckpointService,
  ) {}

  /** 404 while the agency's page is off (the default), and for an agency that does not exist. */
  private async requireOn(agencyId: string): Promise<void> {
    if (!(await this.registry.publicPageSince(agencyId))) throw new NotFoundException(`no public page for agency ${agencyId}`);
  }

  async facts(agencyId: string, now = new Date()): Promise<PublicFacts> {
    await this.requireOn(agencyId);
    const at = now.toISOString();
    const today = localDateAt(now, MINNESOTA_TIME_ZONE);
    const agencyEvents = (await this.reader.agencyStream(agencyId)).map(toLedgerEvent);
    const records = agencyRecordsKnownAt(agencyEvents, at);
    const inForce = records.policies.filter((p) => p.adoptedOn <= today).at(-1);
    const schools = new Set<string>();
    for await (const page of this.reader.agencyFactsPages(agencyId, at)) {
      for (const facts of page) for (const a of officerOnDay(facts, today)?.assignments ?? []) for (const s of a.schools) schools.add(s);
    }
    const registered = agencyEvents.find((e) => e.type === 'AgencyRegistered');
    return {
      agencyId,
      agencyName: (registered?.data as { name?: string } | undefined)?.name ?? agencyId,
      today,
      at,
      policy: inForce ? { version: inForce.version, adoptedOn: inForce.adoptedOn, ...(inForce.modelRevision ? { modelRevision: inForce.modelRevision } : {}) } : null,
      schools: [...schools].sort((a, b) => a.localeCompare(b, 'en')),
      verifierKey: this.checkpoints.key().verifierKey,
    };
  }

  /** The ledger's latest signed checkpoint (one of its events: signed now if the latest is of none), for witnesses to keep. */
  async checkpoint(agencyId: string): Promise<string> {
    await this.requireOn(agencyId);
    try {
      const latest = await this.checkpoints.latest();
      const signed = latest && latest.treeSize > 0 ? latest : await this.checkpoints.issue();
      if (!signed || signed.treeSize === 0) throw new ServiceUnavailableException('no checkpoint has been signed yet');
      return signed.note;
    } catch (error) {
      if ((error as Error).name !== 'IntegrityAlarm') throw error;
      throw new ServiceUnavailableException(`no checkpoint can be signed: ${(error as Error).message}`);
    }
  }
}
