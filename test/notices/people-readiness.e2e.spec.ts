/**
 * What the console and readiness say about reminders by e-mail (docs/decisions.md W53, W54): a
 * failed send beside the person on the people page and in the readiness details (with a token),
 * the last one sent; a notice opened by someone other than its recipient cannot be acknowledged
 * by them; a server without SRO_SMTP_URL says so on the people page and in readiness.
 */
import { agencyStream } from '../../events/streams';
import { Accounts } from '../../src/auth/accounts';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { AGENCY, startNoticeServer, type NoticeServer } from './notice-harness';

const PASSWORD = 'correct horse battery staple';

/** A cookie jar for one site (the console's session), enough for these pages. */
class Visitor {
  cookie = '';
  constructor(private readonly base: string) {}
  async get(path: string) {
    const res = await fetch(`${this.base}${path}`, { headers: { cookie: this.cookie }, redirect: 'manual' });
    this.keep(res);
    return { status: res.status, body: await res.text(), location: res.headers.get('location') };
  }
  async post(path: string, form: Record<string, string>) {
    const res = await fetch(`${this.base}${path}`, { method: 'POST', headers: { cookie: this.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form), redirect: 'manual' });
    this.keep(res);
    return { status: res.status, body: await res.text(), location: res.headers.get('location') };
  }
  async csrf(path = '/sign-in') {
    return /name="_csrf" value="([^"]+)"/.exec((await this.get(path)).body)![1];
  }
  async signIn(email: string) {
    const res = await this.post('/sign-in', { _csrf: await this.csrf(), email, password: PASSWORD, next: '/' });
    expect(res.status).toBe(303);
  }
  private keep(res: Response) {
    const set = res.headers.getSetCookie().find((c) => c.startsWith('sro_session='));
    if (set) this.cookie = set.split(';')[0];
  }
}

async function listen(server: NoticeServer): Promise<string> {
  await server.app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${(server.app.getHttpServer().address() as { port: number }).port}`;
}

async function admin(server: NoticeServer, email: string): Promise<void> {
  const accounts = server.app.get(Accounts);
  const invitation = await accounts.invite({ agencyId: AGENCY, role: 'admin', email, name: 'Robin Admin' }, 'test-setup');
  await accounts.setPassword(invitation.secret, PASSWORD, PASSWORD);
}

describe('with a mail server that refuses the first message', () => {
  let smtp: TestSmtp;
  let server: NoticeServer;
  let visitor: Visitor;

  beforeAll(async () => {
    // Three refusals: every attempt for the first recipient (admin@ sorts first), then it recovers.
    smtp = await startSmtp({ refuse: 3 });
    server = await startNoticeServer({ smtpUrl: smtp.url });
    visitor = new Visitor(await listen(server));
    await admin(server, 'admin@lakeville.example.gov');
    server.clock.set('2026-12-07');
    const report = await server.digest.runAgency(AGENCY);
    expect(report.recipients.map((r) => `${r.email} ${r.outcome}`)).toEqual(['admin@lakeville.example.gov FAILED', 'chief@lakeville.example.gov SENT']);
    await visitor.signIn('admin@lakeville.example.gov');
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('the people page shows who receives the digest, the last sent and the failed send', async () => {
    const page = await visitor.get('/people');
    expect(page.status).toBe(200);
    expect(page.body).toContain('The daily reminder digest goes to Casey Chief, Robin Admin.');
    const row = (email: string) => new RegExp(`<td data-notices="${email.replace(/[.]/g, '\\.')}">([^<]*)</td>`).exec(page.body)![1];
    expect(row('admin@lakeville.example.gov')).toContain('the last send FAILED');
    expect(row('admin@lakeville.example.gov')).toContain('after 3 attempts: ');
    expect(row('chief@lakeville.example.gov')).toContain('last sent 7 December 2026');
    expect(page.body).not.toContain('smtp-not-configured');
  });

  it('readiness with a token names the last failed send; without one its answer keeps its shape', async () => {
    const detailed = await server.http().get('/api/health/ready').set('Authorization', `Bearer ${server.tokens.auditor}`);
    expect(detailed.body.notices).toMatchObject({ email: 'configured', lastFailure: { email: 'admin@lakeville.example.gov', agencyId: AGENCY } });
    expect((await server.http().get('/api/health/ready')).body).not.toHaveProperty('notices');
  });

  it('someone other than the recipient sees the notice but cannot acknowledge it; nothing is recorded', async () => {
    const sent = (await server.store.readStream(agencyStream(AGENCY))).find((e) => e.type === 'ReminderNoticeSent')!;
    const noticeId = (sent.data as { noticeId: string }).noticeId;
    const page = await visitor.get(`/notices/${noticeId}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Only Casey Chief, to whom it was sent, can acknowledge this notice.');
    expect(page.body).not.toContain('>Acknowledge</button>');
    const pressed = await visitor.post(`/notices/${noticeId}/acknowledge`, { _csrf: await visitor.csrf(`/notices/${noticeId}`) });
    expect(pressed.status).toBe(303);
    const after = await visitor.get(pressed.location!);
    expect(after.status).toBe(409);
    expect(after.body).toContain('only they can acknowledge it');
    expect((await server.store.readStream(agencyStream(AGENCY))).filter((e) => e.type === 'ReminderNoticeAcknowledged')).toEqual([]);
    expect((await visitor.get('/notices/00000000-0000-5000-8000-000000000000')).status).toBe(404);
  });

  it('a notice link opened without a session goes to sign-in and records nothing', async () => {
    const res = await new Visitor(visitor['base']).get('/notices/00000000-0000-5000-8000-000000000000');
    expect(res.status).toBe(303);
    expect(res.location).toMatch(/^\/sign-in\?next=%2Fnotices%2F/);
  });
});

describe('without SRO_SMTP_URL', () => {
  let server: NoticeServer;
  let visitor: Visitor;

  beforeAll(async () => {
    server = await startNoticeServer({});
    visitor = new Visitor(await listen(server));
    await admin(server, 'admin@lakeville.example.gov');
    await visitor.signIn('admin@lakeville.example.gov');
  }, 60_000);
  afterAll(() => server?.close());

  it('the digest sends nothing, and the people page, the account page and readiness say so', async () => {
    expect((await server.digest.runAgency(AGENCY)).recipients.map((r) => r.outcome === 'SKIPPED' && r.reason)).toEqual([
      'SRO_SMTP_URL is not configured: nothing is sent',
      'SRO_SMTP_URL is not configured: nothing is sent',
    ]);
    expect((await visitor.get('/people')).body).toContain('Reminders by e-mail are not sent: this server has no mail server configured (SRO_SMTP_URL)');
    expect((await visitor.get('/account')).body).toContain('This server sends no e-mail: its mail server (SRO_SMTP_URL) is not configured.');
    const ready = await server.http().get('/api/health/ready').set('Authorization', `Bearer ${server.tokens.chief}`);
    expect(ready.body.notices).toMatchObject({ email: 'not configured' });
    expect((await server.store.readStream(agencyStream(AGENCY))).filter((e) => e.type.startsWith('ReminderNotice'))).toEqual([]);
  });
});
