/** The agency rule modules, in the order of every agency findings list (AGENCY_RULE_IDS). */
import * as sroPolicyAdopted from './sro-policy-adopted';
import * as contractForEachAssignment from './contract-for-each-assignment';
import * as contractTerms from './contract-terms';
import type { AgencyRuleModule } from './common';

export type { AgencyRuleModule } from './common';

export const AGENCY_RULES: readonly AgencyRuleModule[] = [sroPolicyAdopted, contractForEachAssignment, contractTerms];
