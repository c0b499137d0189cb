/**
 * CSV answers (src/common/csv.ts): csv-stringify with escape_formulas and the extra leading
 * characters; the negotiation by media type (any parameters) and ?format=csv; the reminders and
 * the officer listing as CSV over HTTP; --csv on every query command of the CLI.
 */
import { parse } from 'csv-parse/sync';
import { csvCell, toCsv, wantsCsv } from '../../src/common/csv';
import { startHarness, type Harness } from '../e2e/http-harness';

const back = (text: string): string[][] => parse(text, { relax_quotes: false, bom: true }) as string[][];
const BOM = '\ufeff';

describe('toCsv', () => {
  it.each([
    '=1+1',
    '+1',
    '@SUM(A1)',
    '\tTAB',
    '\rCR',
    ' =1+1',
    '\u00a0=1+1',
    '\u200b=1+1',
    '\u200d@x',
    '\ufeff=1',
    '\uff1d1+1',
    '\uff0b1',
    '\uff0d1',
    '\uff20SUM(A1)',
    '\u3000=1',
    // Look-alikes a spreadsheet may fold into = + - @ (their NFKC form, or read as a minus).
    '\ufe66SUM(A1)',
    '\u207cSUM(A1)',
    '\u208cSUM(A1)',
    '\u2212SUM(A1)',
    '\u207b1+1',
    '\u208b1',
    '\ufe63SUM(A1)',
    '\ufe62SUM(A1)',
    '\u207aSUM(A1)',
    '\ufe6bSUM(A1)',
    '\u2013SUM(A1)',
    '\u2796SUM(A1)',
    '\u2a75SUM(A1)',
    '-76x',
    '-1+1',
    '--1',
  ])('neutralises %j with a leading quote, and it parses back', (value) => {
    const text = toCsv(['a', 'b'], [[value, 'end']]);
    expect(back(text)[1]).toEqual([`'${value}`, 'end']);
  });

  it('starts with the UTF-8 byte-order mark; leaves ordinary text alone, quotes commas, quotes and line breaks, ends records in CRLF', () => {
    const text = toCsv(['name', 'note'], [['Doe, Jordan', 'the "Training" policy'], ['two\nlines', 'a-b'], ['', 'plain']]);
    expect(text).toBe(`${BOM}name,note\r\n"Doe, Jordan","the ""Training"" policy"\r\n"two\nlines",a-b\r\n,plain\r\n`);
    expect(Buffer.from(text, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(back(text)).toEqual([['name', 'note'], ['Doe, Jordan', 'the "Training" policy'], ['two\nlines', 'a-b'], ['', 'plain']]);
    expect(csvCell('a,b')).toBe('"a,b"');
  });

  it('a plain number, negative or not, is a number: never guarded, so a spreadsheet sorts it', () => {
    const text = toCsv(['daysLeft', 'n', 'text'], [[-76, '-76', '-3.5'], [0, '12', '3.25']]);
    expect(text).toBe(`${BOM}daysLeft,n,text\r\n-76,-76,-3.5\r\n0,12,3.25\r\n`);
  });

  it('names and words in any script are left as written (no guard, no change)', () => {
    expect(back(toCsv(['name'], [['Åsa Ödegård'], ['Seán Ó Briain'], ['José Peña'], ['Ève'], ['—']]))).toEqual([['name'], ['Åsa Ödegård'], ['Seán Ó Briain'], ['José Peña'], ['Ève'], ["'—"]]);
  });
});

describe('wantsCsv', () => {
  const req = (accept?: string, format?: string) => ({ headers: accept === undefined ? {} : { accept }, query: format === undefined ? {} : { format } }) as never;
  it.each([
    ['text/csv', true],
    ['text/csv; charset=utf-8', true],
    ['TEXT/CSV;charset=UTF-8;header=present', true],
    ['text/csv;q=0.9, */*;q=0.1', true],
    ['application/json, text/csv', false],
    ['text/csv;q=0.5, application/json', false],
    ['*/*', false],
    ['text/*', true],
    ['application/json', false],
    ['text/html', false],
  ])('Accept: %s → CSV %s', (accept, csv) => {
    expect(wantsCsv(req(accept))).toBe(csv);
  });
  it('?format=csv wins over Accept, and ?format=json too', () => {
    expect(wantsCsv(req('application/json', 'csv'))).toBe(true);
    expect(wantsCsv(req('text/csv', 'json'))).toBe(false);
    expect(wantsCsv(req(undefined))).toBe(false);
  });
});

describe('CSV over HTTP', () => {
  let h: Harness;
  let tokens: Record<string, string>;
  const API = '/api/agencies/csv-pd';
  beforeAll(async () => {
    h = await startHarness({ store: 'sqlite:' });
    tokens = await h.agency('csv-pd');
    const post = (path: string, body: object) => h.http().post(`${API}${path}`).set('Authorization', `Bearer ${tokens.admin}`).send(body).expect(201);
    await post('/policies', { version: '2025-10', adoptedOn: '2025-08-15' });
    await post('/officers', { officerId: 'doe', name: '=HYPERLINK("http://x","y")', licenseNumber: '\uff0b12345' });
    await post('/officers', { officerId: 'roe', name: 'Roe, Sam' });
    await post('/officers/doe/assignments', { assignmentId: 'hs', schools: ['Central High School'], startDate: '2025-09-02' });
  });
  afterAll(() => h.close());

  const get = (path: string, token = tokens.admin) => h.http().get(`${API}${path}`).set('Authorization', `Bearer ${token}`);

  it.each(['text/csv; charset=utf-8', 'text/csv;q=0.9, application/json;q=0.5'])('the agency status with Accept: %s is CSV', async (accept) => {
    const res = await get('/status?asOf=2025-10-01').set('Accept', accept);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="csv-pd-status-2025-10-01.csv"');
    expect(res.text.startsWith(`${BOM}officerId,`)).toBe(true);
    expect(back(res.text)[0]).toEqual(['officerId', 'name', 'status', 'restrictedDuties', 'openFindings', 'asOf', 'knownAt']);
    expect(back(res.text)[1][1]).toBe(`'=HYPERLINK("http://x","y")`);
  });

  it('?format=csv works for a browser link (no Accept), and ?format=json keeps JSON', async () => {
    const csv = await get('/status?format=csv');
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const json = await get('/status?format=json').set('Accept', 'text/csv');
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect((await get('/status?format=xml')).status).toBe(400);
  });

  it('the reminders as CSV', async () => {
    const res = await get('/reminders?asOf=2025-08-20&format=csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="csv-pd-reminders-2025-08-20.csv"');
    expect(res.text.startsWith(`${BOM}officerId,`)).toBe(true);
    const rows = parse(res.text, { columns: true, bom: true }) as Record<string, string>[];
    expect(rows.length).toBeGreaterThan(0);
    expect(Object.keys(rows[0])).toEqual(['officerId', 'subject', 'scope', 'rule', 'kind', 'dueDate', 'daysLeft', 'citation', 'message', 'asOf', 'knownAt']);
    expect(rows.some((r) => r.officerId === 'doe')).toBe(true);
    // Overdue reminders (negative daysLeft) are plain numbers, not the text '-76.
    const overdue = await get('/reminders?asOf=2026-03-01&format=csv');
    const late = (parse(overdue.text, { columns: true, bom: true }) as Record<string, string>[]).filter((r) => r.officerId === 'doe' && r.daysLeft.startsWith('-'));
    expect(late.length).toBeGreaterThan(0);
    for (const r of late) expect(r.daysLeft).toMatch(/^-\d+$/);
  });

  it('the officer listing as CSV (every page), for every role', async () => {
    const res = await get('/officers', tokens.investigator).set('Accept', 'text/csv');
    expect(res.status).toBe(200);
    expect(res.text.startsWith(BOM)).toBe(true);
    const rows = parse(res.text, { columns: true, bom: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.officerId, r.name, r.licenseNumber, r.active])).toEqual([
      ['doe', `'=HYPERLINK("http://x","y")`, "'\uff0b12345", 'yes'],
      ['roe', 'Roe, Sam', '', 'yes'],
    ]);
  });
});
