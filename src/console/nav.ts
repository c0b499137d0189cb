/**
 * The console's main navigation, derived from the pages' declarations (console-page.ts,
 * docs/decisions.md W45): each entry is shown to the roles its page lets in.
 */
import type { Role } from '../../events/access';

export interface NavEntry {
  /** The link's address. */
  href: string;
  /** The link's words. */
  label: string;
  /** Other words for some roles (the investigator's dashboard is their home). */
  labelFor?: Partial<Record<Role, string>>;
  /** Its place in the navigation, from the left. */
  order: number;
  /** The roles that see it: the page's. */
  roles: readonly Role[];
}

const NAV: NavEntry[] = [];

/** Called by @ConsolePage for a page in the navigation (once per address). */
export function declareNavEntry(entry: NavEntry): void {
  if (!NAV.some((e) => e.href === entry.href)) NAV.push(entry);
}


/** The main navigation for a role: the declared pages it may open, in their order. */
export function navFor(role: Role): { href: string; label: string }[] {
  return [...NAV]
    .sort((a, b) => a.order - b.order)
    .filter((entry) => entry.roles.includes(role))
    .map((entry) => ({ href: entry.href, label: entry.labelFor?.[role] ?? entry.label }));
}
