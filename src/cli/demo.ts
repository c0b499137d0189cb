/**
 * `serve --demo` (on `memory:` only; decisions W30): a server in memory has no agency and no
 * token, and a CLI run in another process cannot give it one. So the server seeds a demo agency
 * itself, through the same paths as everything else (the agency registration command, the bulk
 * import of ordinary write commands, the accounts), and prints how to sign in: a one-time link
 * for the demo admin's password, and an admin token for the API.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { createHash, randomUUID } from 'node:crypto';
import { RegisterAgencyCommand } from '../agencies/register-agency';
import { AccessRegistry } from '../auth/access-registry';
import { Accounts } from '../auth/accounts';
import { BulkImporter, type ImportCommand } from '../import/bulk-import';

export const DEMO_AGENCY = 'demo-pd';
export const DEMO_ADMIN_EMAIL = 'admin@demo-pd.example';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** Three officers: one compliant, one assigned without the course, one not assigned. */
export const DEMO_RECORDS: ImportCommand[] = [
  { command: 'AdoptPolicy', body: { version: '2025-10', adoptedOn: '2025-08-15' } },
  { command: 'RegisterOfficer', body: { officerId: 'jdoe', name: 'Jordan Doe', licenseNumber: '12345' } },
  { command: 'AssignOfficer', officerId: 'jdoe', body: { assignmentId: 'hs-2025', schools: ['Central High School'], startDate: '2025-09-02' } },
  { command: 'RecordTraining', officerId: 'jdoe', body: { trainingId: 'basic-1', course: 'MN_SRO_BASIC', completedOn: '2025-08-20', provider: 'Approved provider' } },
  { command: 'FileCertificate', officerId: 'jdoe', trainingId: 'basic-1', body: { sha256: sha('jdoe certificate'), fileName: 'jdoe-basic.pdf', filedOn: '2025-08-25' } },
  { command: 'RecordPolicyReview', officerId: 'jdoe', body: { version: '2025-10', reviewedOn: '2025-08-28' } },
  { command: 'RegisterOfficer', body: { officerId: 'asmith', name: 'Alex Smith', licenseNumber: '23456' } },
  { command: 'AssignOfficer', officerId: 'asmith', body: { assignmentId: 'ms-2025', schools: ['North Middle School'], startDate: '2025-09-02' } },
  { command: 'RecordPolicyReview', officerId: 'asmith', body: { version: '2025-10', reviewedOn: '2025-08-29' } },
  { command: 'RegisterOfficer', body: { officerId: 'bkim', name: 'Blair Kim', licenseNumber: '34567' } },
];

export interface DemoSignIn {
  agencyId: string;
  email: string;
  /** The one-time secret of the admin's set-password link. */
  linkSecret: string;
  expiresAt: string;
  /** An admin token for the API. */
  token: string;
}

export async function seedDemo(app: INestApplicationContext, recordedBy: string): Promise<DemoSignIn> {
  await app.get(CommandBus).execute(new RegisterAgencyCommand({ agencyId: DEMO_AGENCY, recordedBy, correlationId: randomUUID() }, 'Demo Police Department'));
  const report = await app.get(BulkImporter).import(DEMO_RECORDS, { agencyId: DEMO_AGENCY, recordedBy });
  if (report.rejectedCount > 0) throw new Error(`the demo records were refused: ${JSON.stringify(report.rejected)}`);
  const invitation = await app.get(Accounts).invite({ agencyId: DEMO_AGENCY, role: 'admin', email: DEMO_ADMIN_EMAIL, name: 'Demo Admin' }, recordedBy);
  const { token } = await app.get(AccessRegistry).issue({ agencyId: DEMO_AGENCY, role: 'admin', name: 'Demo API admin', recordedBy });
  return { agencyId: DEMO_AGENCY, email: DEMO_ADMIN_EMAIL, linkSecret: invitation.secret, expiresAt: invitation.expiresAt, token };
}
