/**
 * Page: one record form (admin; record-forms.ts), at /records/:form for the agency's records and
 * /officers/:officerId/records/:form for an officer's. The form is checked by the API's own
 * validation pipe and DTO and sent as the API's typed command through the CommandBus, recorded by
 * the signed-in person. A refusal shows each message beside its field and keeps what was typed;
 * a success returns (303) to the officer's record (or the dashboard) saying what was recorded.
 * Each form's idempotency key is in its address (`?key=`), so a double click, a reload, or Back
 * and submitting again records once and says so; a submission that looks like a live record
 * already made is shown first, with "Record it anyway" (docs/decisions.md W21, W35).
 */
import { BadRequestException, Body, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { ID_PATTERN } from '../../../events/streams';
import { dateProblem, localDateFromText, withoutRepeats } from '../../common/dates';
import { createValidationPipe } from '../../common/validation';
import type { ImportReport } from '../../import/bulk-import';
import { ImportCommandsCommand } from '../../import/import-commands';
import { GetRetractionPreviewQuery, type RetractionPreview } from '../../officers/retract-event';
import { GetOfficerHistoryQuery, type OfficerHistoryView } from '../../officers/officer-history';
import { ListOfficersQuery, type OfficerListView } from '../../officers/list-officers';
import { GetAgencyEventsQuery, GetAgencyRetractionPreviewQuery, type AgencyEventView, type AgencyRetractionPreview } from '../../agencies/retract-agency-event';
import { checkedPdf } from '../../officers/certificate-file';
import { idempotentEventId } from '../../write/new-events';
import type { WriteResult } from '../../write/ledger-writer';
import { localDateAt, MINNESOTA_TIME_ZONE } from '../../../projections';
import { IdempotencyMismatch, NotFound, Refusal } from '../../write/refusals';
import { instantInWords } from '../layout';
import { officerUrl } from '../console-axes';
import { ConsoleRequest, ConsoleRoles } from '../console.guard';
import { MAX_KEPT_FORMS, RecordPage, type FormState, type KeptForm } from './record-page';
import { renderPage } from '../layout';
import { ConsoleController } from '../console-page';
import { signedInOf } from '../send-page';
import { recordForm, type FormRecords, type LikelyDuplicate, type RecordForm } from '../record-forms';

const pipe = createValidationPipe();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const todayInMinnesota = (): string => localDateAt(new Date(), MINNESOTA_TIME_ZONE);
const KEY = /^[A-Za-z0-9-]{1,64}$/;
const ALREADY = 'This form was already recorded: it was submitted again (after the browser’s Back button, or a second press).';

/**
 * The form's values as the DTO takes them: trimmed, empty optional fields left out, lines as a
 * list, dates typed as YYYY-MM-DD or M/D/YYYY as YYYY-MM-DD (src/common/dates.ts; `problems` names
 * those that are neither).
 */
function bodyOf(form: RecordForm, raw: Record<string, unknown>): { values: Record<string, unknown>; body: Record<string, unknown>; problems: string[] } {
  const values: Record<string, unknown> = {};
  const body: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const field of form.fields) {
    const text = typeof raw[field.name] === 'string' ? (raw[field.name] as string) : '';
    values[field.name] = text;
    if (form.pathFields?.includes(field.name) || field.kind === 'dates' || field.kind === 'file') continue;
    let value: unknown;
    if (field.kind === 'lines') {
      const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
      if (lines.length === 0 && field.optional) continue;
      value = lines;
    } else if (field.kind === 'date' && text.trim() !== '') {
      const date = localDateFromText(text);
      if (date === undefined) problems.push(dateProblem(field.name, text));
      value = date ?? text.trim();
    } else if (text.trim() !== '' || !field.optional) {
      value = text.trim();
    } else continue;
    // `clauses.attire` is the field attire of the body's clauses object.
    const [head, sub] = field.name.split('.');
    if (sub) ((body[head] ??= {}) as Record<string, unknown>)[sub] = value;
    else body[head] = value;
  }
  return { values, body, problems };
}

/** A form's fields given in its address (the list of dates after "Add this date"; the event to retract): shown, never recorded by a GET. */
function prefilled(form: RecordForm, query: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const f of form.fields) {
    const v = query[f.name];
    if (f.kind !== 'file' && typeof v === 'string' && v.length <= 10_000) values[f.name] = v;
  }
  return values;
}

const datesOf = (text: unknown): string[] => (typeof text === 'string' ? text.split(/[\s,;]+/).map((d) => d.trim()).filter(Boolean) : []);

/** Which field a message is about: messages begin with the field's name (`startDate must be ...`, `trainingId: ...`). */
function byField(form: RecordForm, messages: string[]): { fields: Record<string, string[]>; other: string[] } {
  const fields: Record<string, string[]> = {};
  const other: string[] = [];
  for (const m of messages) {
    const field = form.fields.find((f) => m.startsWith(`${f.name} `) || m.startsWith(`${f.name}:`) || m.startsWith(`${f.name}.`));
    // Beside its field, "officerId: officer o-1 is already registered" reads "officer o-1 is already registered".
    if (field) (fields[field.name] ??= []).push(m.startsWith(`${field.name}:`) ? m.slice(field.name.length + 1).trim() : m);
    else other.push(m);
  }
  return { fields, other };
}

@ConsoleController()
@ConsoleRoles('admin')
export class RecordFormController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get('records/:form')
  async agencyForm(@Req() request: ConsoleRequest, @Param('form') id: string, @Query() query: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const form = this.form('agency', id);
    if (this.needsKey(request, response, query.key)) return;
    const records = await this.records(request, form, undefined);
    // The agency's retract form with a record chosen: what its retraction would change, before it is confirmed.
    let agencyPreview: AgencyRetractionPreview | undefined;
    if (form.id === 'retract' && typeof query.eventId === 'string' && UUID.test(query.eventId)) {
      agencyPreview = await this.queries.execute(new GetAgencyRetractionPreviewQuery(request.person!.agencyId, query.eventId, todayInMinnesota()));
    }
    this.showKept(request, response, form, undefined, String(query.key), { values: prefilled(form, query), agencyPreview, records });
  }

  @Post('records/:form')
  @HttpCode(200)
  agencyRecord(@Req() request: ConsoleRequest, @Param('form') id: string, @Body() raw: Record<string, unknown>, @Res() response: Response): Promise<void> {
    return this.record(request, response, this.form('agency', id), undefined, raw);
  }

  @Get('officers/:officerId/records/:form')
  async officerForm(@Req() request: ConsoleRequest, @Param('officerId') officerId: string, @Param('form') id: string, @Query() query: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const form = this.form('officer', id);
    const officer = this.officer(officerId);
    const { key, eventId } = query;
    if (this.needsKey(request, response, key)) return;
    const records = await this.records(request, form, officer);
    // The retract form opened from the timeline: the event, and what its retraction would change, before it is confirmed.
    let preview: RetractionPreview | undefined;
    if (form.id === 'retract' && typeof eventId === 'string' && UUID.test(eventId)) {
      preview = await this.queries.execute(new GetRetractionPreviewQuery(request.person!.agencyId, officer, eventId, todayInMinnesota()));
    }
    this.showKept(request, response, form, officer, String(key), { values: prefilled(form, query), preview, records });
  }

  /**
   * The form with key `key`, as its last refused submission left it when there is one (what was
   * typed, the messages, its 4xx status: the refusal's post/redirect/get), else fresh.
   */
  private showKept(request: ConsoleRequest, response: Response, form: RecordForm, officerId: string | undefined, key: string, state: FormState): void {
    const kept = request.session!.keptForms?.get(key) as KeptForm | undefined;
    if (!kept) return this.show(request, response, form, officerId, { ...state, key });
    this.show(request, response, form, officerId, { ...state, key, values: kept.values, fields: kept.fields, other: kept.other, duplicates: kept.duplicates }, kept.status);
  }

  @Post('officers/:officerId/records/:form')
  @HttpCode(200)
  officerRecord(@Req() request: ConsoleRequest, @Param('officerId') officerId: string, @Param('form') id: string, @Body() raw: Record<string, unknown>, @Res() response: Response): Promise<void> {
    return this.record(request, response, this.form('officer', id), this.officer(officerId), raw);
  }

  private form(scope: 'agency' | 'officer', id: string): RecordForm {
    const form = recordForm(scope, id);
    if (!form) throw new NotFound([`There is no form "${id.slice(0, 40)}".`]);
    return form;
  }

  private officer(officerId: string): string {
    if (!ID_PATTERN.test(officerId)) throw new NotFound([`There is no officer with the ID "${officerId.slice(0, 64)}".`]);
    return officerId;
  }

  /**
   * A form opened without its key is sent (303) to the same address with a new one (`?key=`), so
   * the key is part of the browser's history entry: Back returns to the page with the key already
   * used, and submitting it again gets the first answer instead of recording twice (docs/decisions.md W35).
   */
  private needsKey(request: ConsoleRequest, response: Response, key: unknown): boolean {
    if (typeof key === 'string' && KEY.test(key)) return false;
    const url = new URL(request.originalUrl, 'http://console.invalid');
    url.searchParams.set('key', randomUUID());
    response.redirect(303, `${url.pathname}${url.search}`);
    return true;
  }

  /** What the form's pick-lists and duplicate check read, as recorded now (live events only). */
  private async records(request: ConsoleRequest, form: RecordForm, officerId: string | undefined, body: Record<string, unknown> = {}): Promise<FormRecords> {
    const agencyId = request.person!.agencyId;
    const records: FormRecords = { officer: [], agency: [] };
    const reads = form.reads ?? [];
    if (reads.includes('officer') && officerId) {
      const history: OfficerHistoryView = await this.queries.execute(new GetOfficerHistoryQuery(agencyId, officerId, new Date().toISOString()));
      records.officer = history.events
        .filter((e) => e.stream === 'officer' && !e.retracted && e.type !== 'EventRetracted')
        .map((e) => ({ eventId: e.eventId, type: e.type, data: (e.data ?? {}) as Record<string, unknown>, recordedAt: e.recordedAt, recordedBy: e.recordedBy }));
    }
    if (reads.includes('agency')) {
      const events: AgencyEventView[] = await this.queries.execute(new GetAgencyEventsQuery(agencyId));
      records.agency = events.filter((e) => !e.retractedBy && e.type !== 'EventRetracted');
    }
    if (reads.includes('officers')) {
      const axes = { asOf: todayInMinnesota(), knownAt: new Date().toISOString() };
      const found = new Map<string, { officerId: string; name: string; licenseNumber: string | null }>();
      for (const q of [body.name, body.licenseNumber]) {
        if (typeof q !== 'string' || !q.trim()) continue;
        const list: OfficerListView = await this.queries.execute(new ListOfficersQuery(agencyId, axes, q.trim(), 1));
        for (const o of list.officers) found.set(o.officerId, o);
      }
      records.officers = [...found.values()];
    }
    return records;
  }

  private show(request: ConsoleRequest, response: Response, form: RecordForm, officerId: string | undefined, state: FormState, status = 200): void {
    response
      .status(status)
      .type('html')
      .send(renderPage(<RecordPage form={form} officerId={officerId} state={state} />, signedInOf(request)));
  }

  private async record(request: ConsoleRequest, response: Response, form: RecordForm, officerId: string | undefined, raw: Record<string, unknown>): Promise<void> {
    const person = request.person!;
    const { values, body, problems } = bodyOf(form, raw);
    const key = typeof raw.idempotencyKey === 'string' && KEY.test(raw.idempotencyKey) ? raw.idempotencyKey : randomUUID();
    const anyway = raw.recordAnyway === 'yes';
    const records = form.reads?.length ? await this.records(request, form, officerId, body) : { officer: [], agency: [] };
    /**
     * A refusal (or a likely duplicate) is kept in the session under the form's key and shown by
     * the GET the POST redirects to, with its 4xx status: Back and reload never send a form again
     * (post/redirect/get, docs/decisions.md W35). Nothing is recorded.
     */
    const again = (messages: string[], status: number, more: { key?: string; duplicates?: LikelyDuplicate[] } = {}) => {
      const { fields, other } = byField(form, messages);
      const to = more.key ?? key;
      const kept = (request.session!.keptForms ??= new Map<string, unknown>());
      kept.delete(to);
      kept.set(to, { status, values, fields, other, duplicates: more.duplicates } satisfies KeptForm);
      while (kept.size > MAX_KEPT_FORMS) kept.delete(kept.keys().next().value!);
      const query = new URLSearchParams({ key: to });
      if (form.id === 'retract' && typeof values.eventId === 'string' && UUID.test(values.eventId.trim())) query.set('eventId', values.eventId.trim());
      response.redirect(303, `${officerId ? officerUrl(officerId) : ''}/records/${form.id}?${query}`);
    };
    const back = officerId ? officerUrl(officerId) : '/';
    if (form.id === 'retract' && raw.action === 'preview') {
      // "Show what it will change": the form again, by a GET that carries the chosen record (post/redirect/get); nothing recorded.
      const query = new URLSearchParams({ key });
      for (const f of form.fields) if (typeof values[f.name] === 'string' && values[f.name] !== '') query.set(f.name, String(values[f.name]).trim());
      request.session!.keptForms?.delete(key);
      return void response.redirect(303, `${officerId ? officerUrl(officerId) : ''}/records/${form.id}?${query}`);
    }
    const started = Date.now();
    /**
     * A first answer given again (the same key, the same content): the form was already recorded;
     * Back and submit again recorded nothing. A new event is stamped during this request, never
     * before it began (src/store/append-support.ts); a first answer was stamped by an earlier one.
     */
    const replayed = (recordedAt: string) => Date.parse(recordedAt) < started;
    const alreadyRecorded = (recordedAt: string) => `${ALREADY} It was recorded ${instantInWords(recordedAt)}; nothing was recorded twice.`;
    // The same key sent with other content: the form was used already, and what is typed now is new. Nothing is recorded; a new key lets the person confirm it.
    const reused = () =>
      again(['This form was already used to record something else. What you typed now is different and was not recorded: check it and press the button again to record it as a new record.'], 409, { key: randomUUID() });
    if (form.many) {
      const field = form.many.field;
      if (raw.action === 'add') {
        // "Add" puts the picked date on the list and shows the form again; nothing is recorded.
        // Answered by a redirect to the form with the list in its address (post/redirect/get), so Back and reload never resend a form.
        const picked = typeof raw[`${field}.pick`] === 'string' ? String(raw[`${field}.pick`]).trim() : '';
        if (picked) values[field] = [...datesOf(values[field]), picked].join('\n');
        const query = new URLSearchParams({ key });
        for (const f of form.fields) if (f.kind !== 'file' && typeof values[f.name] === 'string' && values[f.name] !== '') query.set(f.name, String(values[f.name]));
        request.session!.keptForms?.delete(key);
        return void response.redirect(303, `${officerId ? officerUrl(officerId) : ''}/records/${form.id}?${query}`);
      }
      const typed = datesOf(values[field]);
      // Each date as YYYY-MM-DD or M/D/YYYY (src/common/dates.ts); one that is neither refuses the form, naming it.
      const unread = typed.filter((d) => localDateFromText(d) === undefined);
      if (unread.length) return again([...unread.map((d) => dateProblem(field, d)), ...problems], 400);
      const dates = [...new Set(typed.map((d) => localDateFromText(d)!))];
      if (dates.length === 0) return again([`${field}: give at least one date`], 400);
      if (dates.length > 200) return again([`${field}: at most 200 dates at once`], 400);
      const keyOf = (i: number) => `console:${person.userId}:${key}:${i}`;
      if (!anyway && form.duplicates) {
        const own = new Set(dates.map((_, i) => idempotentEventId(person.agencyId, keyOf(i))));
        // A form whose key already recorded is a resubmission: its first answer, not a duplicate (W35).
        const resubmitted = [...records.officer, ...records.agency].some((e) => own.has(e.eventId));
        const duplicates = resubmitted ? [] : dates.flatMap((date) => form.duplicates!({ ...body, [form.many!.as]: date }, records)).filter((d) => !own.has(d.eventId));
        if (duplicates.length) return again([], 409, { duplicates });
      }
      const commands = dates.map((date, i) => ({ command: form.many!.command, officerId: officerId ?? '', body: { ...body, [form.many!.as]: date }, idempotencyKey: keyOf(i) }));
      const report: ImportReport = await this.commands.execute(new ImportCommandsCommand(person.agencyId, person.email, commands, 'all-or-nothing'));
      if (!report.committed) {
        if (report.rejected.some((r) => r.statusCode === 422)) return reused();
        const messages = report.rejected.flatMap((r) => r.messages.map((m) => (m.startsWith(`${form.many!.as} `) ? `${field}: ${dates[r.index]}: ${m}` : `${dates[r.index]}: ${m}`)));
        return again(messages, report.rejected[0]?.statusCode ?? 400);
      }
      values[field] = dates.join('\n');
      request.session!.keptForms?.delete(key);
      request.session!.notice = report.duplicates === dates.length ? `${ALREADY} ${form.done(values)} Nothing was recorded twice.` : form.done(values);
      return void response.redirect(303, back);
    }
    let file: Buffer | undefined;
    if (form.upload) {
      // The upload was parsed before the guard (UPLOAD_ROUTES): the server checks it is a PDF, and hashes it itself.
      const uploaded = (request as ConsoleRequest & { file?: { buffer: Buffer; originalname: string } }).file;
      if (!uploaded && form.upload.required) return again([`file: choose the PDF of the ${form.upload.what}`], 400);
      if (uploaded) {
        const checked = await checkedPdf(uploaded.buffer, uploaded.originalname, form.upload.what);
        if ('problem' in checked) return again([checked.problem], checked.status);
        if (form.upload.stored) file = uploaded.buffer;
        Object.assign(body, form.upload.into(checked));
        Object.assign(values, checked, form.upload.into(checked));
      }
    }
    const pathProblems = (form.pathFields ?? [])
      .filter((f) => !ID_PATTERN.test(String(values[f]).trim()))
      .map((f) => {
        const field = form.fields.find((x) => x.name === f);
        return field?.choices && String(values[f]).trim() === '' ? `${f}: ${field.choices.prompt.toLowerCase()}` : `${f} must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`;
      });
    let dto: object;
    try {
      dto = await pipe.transform(body, { type: 'body', metatype: form.dto });
    } catch (error) {
      if (!(error instanceof BadRequestException)) throw error;
      const message = (error.getResponse() as { message?: string | string[] }).message;
      return again([...pathProblems, ...withoutRepeats(problems, Array.isArray(message) ? message : [String(message)])], 400);
    }
    if (pathProblems.length || problems.length) return again([...pathProblems, ...problems], 400);
    for (const f of form.pathFields ?? []) values[f] = String(values[f]).trim();
    const ctx = { agencyId: person.agencyId, recordedBy: person.email, correlationId: randomUUID(), idempotencyKey: `console:${person.userId}:${key}` };
    if (!anyway && form.duplicates) {
      const facts = { ...(dto as Record<string, unknown>), ...Object.fromEntries((form.pathFields ?? []).map((f) => [f, values[f]])) };
      const own = idempotentEventId(person.agencyId, ctx.idempotencyKey);
      // A form whose key already recorded is a resubmission: its first answer, not a duplicate (W35).
      const resubmitted = [...records.officer, ...records.agency].some((e) => e.eventId === own);
      const duplicates = resubmitted ? [] : form.duplicates(facts, records).filter((d) => d.eventId !== own);
      if (duplicates.length) return again([], 409, { duplicates });
    }
    let result: WriteResult;
    try {
      result = await this.commands.execute(form.command(ctx, officerId ?? '', values, dto, file));
    } catch (error) {
      if (error instanceof IdempotencyMismatch) return reused();
      if (!(error instanceof Refusal)) throw error;
      return again(error.messages, error.status);
    }
    request.session!.keptForms?.delete(key);
    // A replay says what is recorded too: after a double press the browser shows the second answer, and its words must not read as if nothing was.
    request.session!.notice = replayed(result.recordedAt) ? `${form.done(values)} ${alreadyRecorded(result.recordedAt)}` : form.done(values);
    response.redirect(303, back);
  }
}
