/** The rule modules, in the order of docs/reference.md#rules (the order of every findings list). */
import * as trainingBeforeDuty from './training-before-duty';
import * as trainingGrace6Months from './training-grace-6-months';
import * as legacyCourse2027 from './legacy-course-2027';
import * as refresher3Years from './refresher-3-years';
import * as certificateOnFile from './certificate-on-file';
import * as policyReviewBeforeDuty from './policy-review-before-duty';
import * as substitute60Days from './substitute-60-days';
import type { RuleModule } from './common';

export type { RuleModule } from './common';

export const RULES: readonly RuleModule[] = [
  trainingBeforeDuty,
  trainingGrace6Months,
  legacyCourse2027,
  refresher3Years,
  certificateOnFile,
  policyReviewBeforeDuty,
  substitute60Days,
];
