/** Route parameter DTOs: identifiers in paths are validated like identifiers in bodies. */
import { IsIdentifier } from './validation';

export class AgencyPath {
  @IsIdentifier() agencyId!: string;
}

export class OfficerPath extends AgencyPath {
  @IsIdentifier() officerId!: string;
}

export class AssignmentPath extends OfficerPath {
  @IsIdentifier() assignmentId!: string;
}

export class TrainingPath extends OfficerPath {
  @IsIdentifier() trainingId!: string;
}

export class ContractPath extends AgencyPath {
  @IsIdentifier() contractId!: string;
}
