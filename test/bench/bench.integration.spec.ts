/**
 * The benchmark's own measurement functions on a tiny data set (40 officers), without the HTTP
 * load (autocannon runs only in `npm run bench`): the summary has every key, all finite. No
 * timing is asserted.
 */
import 'reflect-metadata';
import { agencyPlans, firstPass, secondPass } from '../../bench/generate';
import { runBench, sqliteBenchStore, SUMMARY_KEYS } from '../../bench/measure';

it('generates the same commands for the same seed, with a 40 % largest agency', () => {
  const plans = agencyPlans(40);
  expect(plans.map((p) => p.officers)).toEqual([16, 12, 8, 4]);
  const a = [...firstPass(7, 0, plans[0]), ...secondPass(7, 0, plans[0])];
  const b = [...firstPass(7, 0, plans[0]), ...secondPass(7, 0, plans[0])];
  expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  expect(a.filter((c) => c.command === 'RegisterOfficer')).toHaveLength(16);
});

it('runs every measurement and returns a summary with every key, all numbers finite', async () => {
  const store = sqliteBenchStore();
  try {
    const summary = await runBench({ store, officers: 40, statusSamples: 50, agencyRuns: 1, httpSeconds: 0 });
    expect(Object.keys(summary).sort()).toEqual([...SUMMARY_KEYS].sort());
    expect(summary.store).toBe('sqlite');
    expect(summary.officers).toBe(40);
    for (const key of SUMMARY_KEYS) if (key !== 'store') expect(Number.isFinite(summary[key])).toBe(true);
    expect(summary.events).toBeGreaterThan(40 * 10);
    // The repeated verification derived again only the one officer (of 16 in the first agency: every hundredth) that moved: its ledger and facts.
    expect(summary.verifyRepeatDocumentsDerived).toBe(2);
  } finally {
    await store.dispose();
  }
}, 120_000);
