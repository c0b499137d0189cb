/**
 * The agency status as CSV (GET /agencies/:agencyId/status with Accept: text/csv, CLI
 * `status --csv`): RFC 4180 quoting of commas, quotes and line breaks, and no cell a spreadsheet
 * would run as a formula (decisions W5). Checked by parsing the output back with a CSV parser:
 * every cell must come back as the value it was made from (with the formula guard's quote).
 */
import { parse } from 'csv-parse/sync';
import { agencyStatusCsv, csvCell, type AgencyStatusView } from '../../src/agencies/agency-status';

const cells = (line: string): string[] => parse(line, { relax_quotes: false })[0] as string[];

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['Doe, Jordan', '"Doe, Jordan"'],
    ['the "Training" policy', '"the ""Training"" policy"'],
    ['two\nlines', '"two\nlines"'],
    ['carriage\r\nreturn', '"carriage\r\nreturn"'],
    ['', ''],
  ])('quotes %j only when it must, and it parses back', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
    expect(cells(`${csvCell(value)},end`)).toEqual([value, 'end']);
  });

  it.each(['=1+1', '+1', '-1+1', '@SUM(A1)', '\tTAB', '\rCR', '=HYPERLINK("http://x","y, z")'])('neutralises the formula-like %j with a leading quote', (value) => {
    expect(csvCell(value).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(cells(`${csvCell(value)},end`)).toEqual([`'${value}`, 'end']);
  });
});

describe('agencyStatusCsv', () => {
  const finding = (rule: string, outcome: string, citation: string, dueDate?: string) => ({ rule, outcome, citation, explanation: 'x', evidence: [], ...(dueDate ? { dueDate } : {}) });
  const view = {
    agencyId: 'csv-pd',
    asOf: '2025-10-01',
    knownAt: '2026-01-02T03:04:05.678Z',
    counts: { NOT_ASSIGNED: 0, EXEMPT: 0, NON_COMPLIANT: 2, CONDITIONAL: 0, COMPLIANT: 0 },
    officers: [
      {
        officerId: 'doe',
        name: 'Doe, "JJ"\nJr.',
        status: 'NON_COMPLIANT',
        restrictedDuties: ['Minn. Stat. 626.8482 subd. 2(a)(4): providing advice on safety drills', 'x, y'],
        findings: [
          finding('TRAINING_BEFORE_DUTY', 'VIOLATED', 'Minn. Stat. 626.8482 subd. 3(a); policy "Training"', '2025-09-02'),
          finding('CERTIFICATE_ON_FILE', 'MET', 'policy "Training"'),
          finding('POLICY_REVIEW_BEFORE_DUTY', 'PENDING', 'subd. 3(c), "Substitute SROs"', '2025-10-30'),
        ],
      },
      { officerId: 'formula', name: '=cmd|" /C calc"!A0', status: 'NON_COMPLIANT', restrictedDuties: [], findings: [] },
    ],
  } as unknown as AgencyStatusView;

  it('one header and one row per officer, CRLF-terminated, every cell parsing back to its value', () => {
    const text = agencyStatusCsv(view);
    expect(text.startsWith('\ufeffofficerId,name,status,restrictedDuties,openFindings,asOf,knownAt\r\n')).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parse(text, { columns: true, bom: true }) as Record<string, string>[];
    expect(rows).toEqual([
      {
        officerId: 'doe',
        name: 'Doe, "JJ"\nJr.',
        status: 'NON_COMPLIANT',
        restrictedDuties: 'Minn. Stat. 626.8482 subd. 2(a)(4): providing advice on safety drills; x, y',
        openFindings:
          'TRAINING_BEFORE_DUTY VIOLATED due 2025-09-02 (Minn. Stat. 626.8482 subd. 3(a); policy "Training"); ' +
          'POLICY_REVIEW_BEFORE_DUTY PENDING due 2025-10-30 (subd. 3(c), "Substitute SROs")',
        asOf: '2025-10-01',
        knownAt: '2026-01-02T03:04:05.678Z',
      },
      { officerId: 'formula', name: `'=cmd|" /C calc"!A0`, status: 'NON_COMPLIANT', restrictedDuties: '', openFindings: '', asOf: '2025-10-01', knownAt: '2026-01-02T03:04:05.678Z' },
    ]);
  });
});
