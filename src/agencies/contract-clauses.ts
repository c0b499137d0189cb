/** The contract clauses of SroContractRecorded and SroContractAmended as a request gives them (policy "General contractual agreements", "Data practices"). */
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { CONTRACT_CLAUSES, type ContractClauses } from '../../events/catalogue';
import { IsPlainText } from '../common/plain-text';

/**
 * Each clause is the contract's section reference (free text, e.g. "§4.2"), or null where the
 * contract does not address it. When a contract is recorded, a clause left out is null too; in an
 * amendment, a clause left out is unchanged.
 */
export class ContractClausesDto {
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) @IsPlainText() dutiesPerSubd2?: string | null;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) @IsPlainText() attire?: string | null;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) @IsPlainText() districtRoleInSelection?: string | null;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) @IsPlainText() deescalationResources?: string | null;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) @IsPlainText() publicNotification?: string | null;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) @IsPlainText() dataPractices?: string | null;
}

/** Every clause, null where not given (a recording). */
export const allClauses = (given: ContractClausesDto | undefined): ContractClauses =>
  Object.fromEntries(CONTRACT_CLAUSES.map((c) => [c, given?.[c] ?? null])) as ContractClauses;

/** The clauses given, null kept (an amendment). */
export const givenClauses = (given: ContractClausesDto): Partial<ContractClauses> =>
  Object.fromEntries(CONTRACT_CLAUSES.filter((c) => given[c] !== undefined).map((c) => [c, given[c]])) as Partial<ContractClauses>;
