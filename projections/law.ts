/**
 * Fixed figures of the law as docs/reference.md#rules states them (not open to interpretation; the
 * open questions live in ./interpretation.ts).
 */
import type { LocalDate } from './dates';

/** Minn. Stat. 626.8482 subd. 3(a): "beginning September 1, 2025". */
export const STATUTE_START: LocalDate = '2025-09-01';
/** subd. 3(c): "within six months of assuming the duties". */
export const GRACE_MONTHS = 6;
/** Policy "Training": "a refresher course at a minimum of once every three years". */
export const REFRESHER_YEARS = 3;
/** Policy "Substitute SROs": "fewer than 60 student contact days within a school year". */
export const SUBSTITUTE_CONTACT_DAY_LIMIT = 60;
/**
 * The latest revision of the POST Board model SRO policy the product knows: "Revision approved by
 * the POST Board on October 23, 2025" (the model policy's last line). A policy following an older
 * revision gets a reminder (SRO_POLICY_ADOPTED).
 */
export const LATEST_MODEL_REVISION: LocalDate = '2025-10-23';
