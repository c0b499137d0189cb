/**
 * Page: one record form (admin; record-forms.ts), at /records/:form for the agency's records and
 * /officers/:officerId/records/:form for an officer's. The form is checked by the API's own
 * validation pipe and DTO and sent as the API's typed command through the CommandBus, recorded by
 * the signed-in person. A refusal shows each message beside its field and keeps what was typed;
 * a success returns to the officer's record (or the dashboard) saying what was recorded. Each
 * rendered form carries its own idempotency key, so a double click, a reload or the back button
 * records once.
 */
import { BadRequestException, Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { ID_PATTERN } from '../../../events/streams';
import { Public } from '../../auth/roles.decorator';
import { dateProblem, localDateFromText, withoutRepeats } from '../../common/dates';
import { createValidationPipe } from '../../common/validation';
import type { ImportReport } from '../../import/bulk-import';
import { ImportCommandsCommand } from '../../import/import-commands';
import { GetRetractionPreviewQuery, type RetractionPreview } from '../../officers/retract-event';
import { checkedCertificate } from '../../officers/certificate-file';
import { localDateAt, MINNESOTA_TIME_ZONE } from '../../../projections';
import { NotFound, Refusal } from '../../write/refusals';
import { describeEvent, eventTitle } from '../event-words';
import { dateInWords, instantInWords, STATUS_WORDS, StatusBadge } from '../layout';
import { ConsoleGuard, ConsoleRequest, ConsoleRoles } from '../console.guard';
import { CsrfField, Page, Problems, renderPage, type Person } from '../layout';
import { recordForm, type RecordForm } from '../record-forms';
import { StatusBar } from '../status-bar';

const pipe = createValidationPipe();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const todayInMinnesota = (): string => localDateAt(new Date(), MINNESOTA_TIME_ZONE);
const KEY = /^[A-Za-z0-9-]{1,64}$/;

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

@Controller()
@Public()
@UseGuards(ConsoleGuard)
@ConsoleRoles('admin')
export class RecordFormController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get('records/:form')
  agencyForm(@Req() request: ConsoleRequest, @Param('form') id: string, @Res() response: Response): void {
    this.show(request, response, this.form('agency', id), undefined);
  }

  @Post('records/:form')
  @HttpCode(200)
  agencyRecord(@Req() request: ConsoleRequest, @Param('form') id: string, @Body() raw: Record<string, unknown>, @Res() response: Response): Promise<void> {
    return this.record(request, response, this.form('agency', id), undefined, raw);
  }

  @Get('officers/:officerId/records/:form')
  async officerForm(@Req() request: ConsoleRequest, @Param('officerId') officerId: string, @Param('form') id: string, @Query('eventId') eventId: unknown, @Res() response: Response): Promise<void> {
    const form = this.form('officer', id);
    const officer = this.officer(officerId);
    // The retract form opened from the timeline: the event, and what its retraction would change, before it is confirmed.
    if (form.id === 'retract' && typeof eventId === 'string' && UUID.test(eventId)) {
      const preview: RetractionPreview = await this.queries.execute(new GetRetractionPreviewQuery(request.person!.agencyId, officer, eventId, todayInMinnesota()));
      return this.show(request, response, form, officer, { values: { eventId }, preview });
    }
    this.show(request, response, form, officer);
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

  private show(request: ConsoleRequest, response: Response, form: RecordForm, officerId: string | undefined, state: FormState = {}, status = 200): void {
    response
      .status(status)
      .type('html')
      .send(renderPage(<RecordPage person={request.person!} csrf={request.session!.csrf} form={form} officerId={officerId} state={{ key: randomUUID(), ...state }} />));
  }

  private async record(request: ConsoleRequest, response: Response, form: RecordForm, officerId: string | undefined, raw: Record<string, unknown>): Promise<void> {
    const person = request.person!;
    const { values, body, problems } = bodyOf(form, raw);
    const key = typeof raw.idempotencyKey === 'string' && KEY.test(raw.idempotencyKey) ? raw.idempotencyKey : randomUUID();
    const again = (messages: string[], status: number) => {
      const { fields, other } = byField(form, messages);
      this.show(request, response, form, officerId, { key, values, fields, other }, status);
    };
    if (form.many) {
      const field = form.many.field;
      if (raw.action === 'add') {
        // "Add" puts the picked date on the list and shows the form again; nothing is recorded.
        const picked = typeof raw[`${field}.pick`] === 'string' ? String(raw[`${field}.pick`]).trim() : '';
        if (picked) values[field] = [...datesOf(values[field]), picked].join('\n');
        return this.show(request, response, form, officerId, { key, values });
      }
      const typed = datesOf(values[field]);
      // Each date as YYYY-MM-DD or M/D/YYYY (src/common/dates.ts); one that is neither refuses the form, naming it.
      const unread = typed.filter((d) => localDateFromText(d) === undefined);
      if (unread.length) return again([...unread.map((d) => dateProblem(field, d)), ...problems], 400);
      const dates = [...new Set(typed.map((d) => localDateFromText(d)!))];
      if (dates.length === 0) return again([`${field}: give at least one date`], 400);
      if (dates.length > 200) return again([`${field}: at most 200 dates at once`], 400);
      const commands = dates.map((date, i) => ({
        command: form.many!.command,
        officerId: officerId ?? '',
        body: { ...body, [form.many!.as]: date },
        idempotencyKey: `console:${person.userId}:${key}:${i}`,
      }));
      const report: ImportReport = await this.commands.execute(new ImportCommandsCommand(person.agencyId, person.email, commands, 'all-or-nothing'));
      if (!report.committed) {
        const messages = report.rejected.flatMap((r) => r.messages.map((m) => (m.startsWith(`${form.many!.as} `) ? `${field}: ${dates[r.index]}: ${m}` : `${dates[r.index]}: ${m}`)));
        return again(messages, report.rejected[0]?.statusCode ?? 400);
      }
      values[field] = dates.join('\n');
      request.session!.notice = form.done(values);
      return void response.redirect(303, officerId ? `/officers/${encodeURIComponent(officerId)}` : '/');
    }
    let file: Buffer | undefined;
    if (form.upload) {
      // The upload was parsed before the guard (UPLOAD_ROUTES): the server checks it is a PDF, and hashes it itself.
      const uploaded = (request as ConsoleRequest & { file?: { buffer: Buffer; originalname: string } }).file;
      if (!uploaded) return again(['file: choose the PDF of the certificate'], 400);
      const checked = await checkedCertificate(uploaded.buffer, uploaded.originalname);
      if ('problem' in checked) return again([checked.problem], checked.status);
      file = uploaded.buffer;
      Object.assign(body, checked);
      Object.assign(values, checked);
    }
    const pathProblems = (form.pathFields ?? []).filter((f) => !ID_PATTERN.test(String(values[f]).trim())).map((f) => `${f} must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`);
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
    try {
      await this.commands.execute(form.command(ctx, officerId ?? '', values, dto, file));
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      return again(error.messages, error.status);
    }
    request.session!.notice = form.done(values);
    response.redirect(303, officerId ? `/officers/${encodeURIComponent(officerId)}` : '/');
  }
}

interface FormState {
  preview?: RetractionPreview;
  key?: string;
  values?: Record<string, unknown>;
  fields?: Record<string, string[]>;
  other?: string[];
}

function RecordPage(props: { person: Person; csrf: string; form: RecordForm; officerId?: string; state: FormState }) {
  const { form, officerId, state } = props;
  const action = officerId ? `/officers/${encodeURIComponent(officerId)}/records/${form.id}` : `/records/${form.id}`;
  const back = officerId ? `/officers/${encodeURIComponent(officerId)}` : '/';
  return (
    <Page title={form.title} person={props.person} csrf={props.csrf}>
      <p class="crumbs">
        <a href="/">Dashboard</a>
        {officerId && (
          <>
            {' '}
            › <a href={back}>Officer {officerId}</a>
          </>
        )}{' '}
        › {form.title}
      </p>
      <h1>{form.title}</h1>
      {state.preview && <PreviewOfRetraction preview={state.preview} />}
      <form method="post" action={action} class="stack narrow" noValidate encType={form.upload ? 'multipart/form-data' : undefined}>
        <Problems messages={state.other} />
        <CsrfField csrf={props.csrf} />
        <input type="hidden" name="idempotencyKey" value={state.key} />
        {form.fields.map((field) => {
          const id = `field-${field.name}`;
          const errors = state.fields?.[field.name];
          const value = String(state.values?.[field.name] ?? '');
          const described = [field.hint ? `${id}-hint` : '', errors ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
          const common = { id, name: field.name, 'aria-describedby': described, 'aria-invalid': errors ? ('true' as const) : undefined, required: !field.optional };
          return (
            <div class={errors ? 'field invalid' : 'field'}>
              <label for={id}>
                {field.label}
                {field.optional ? ' (optional)' : ''}
              </label>
              {field.kind === 'select' ? (
                <select {...common}>
                  {field.options!.map((o) => (
                    <option value={o.value} selected={o.value === value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              ) : field.kind === 'lines' ? (
                <textarea {...common} rows={3}>
                  {value}
                </textarea>
              ) : field.kind === 'file' ? (
                <input {...common} type="file" accept="application/pdf,.pdf" />
              ) : field.kind === 'dates' ? (
                <>
                  <textarea {...common} rows={4}>
                    {value}
                  </textarea>
                  <span class="inline-pick">
                    <label for={`${id}-pick`}>Pick a date</label>
                    <input id={`${id}-pick`} name={`${field.name}.pick`} type="date" />
                    <button type="submit" name="action" value="add" formNoValidate>
                      Add this date
                    </button>
                  </span>
                </>
              ) : (
                <input {...common} type={field.kind === 'date' ? 'date' : 'text'} value={value} />
              )}
              {field.hint && (
                <span id={`${id}-hint`} class="hint">
                  {field.hint}
                </span>
              )}
              {errors && (
                <span id={`${id}-error`} class="field-error">
                  {errors.join('; ')}
                </span>
              )}
            </div>
          );
        })}
        <button type="submit">{form.button}</button>
      </form>
      <p>
        <a href={back}>Cancel</a>
      </p>
    </Page>
  );
}

function PreviewOfRetraction({ preview }: { preview: RetractionPreview }) {
  const e = preview.event;
  return (
    <section aria-labelledby="preview-heading" class="preview">
      <h2 id="preview-heading">What this retraction will change</h2>
      <p>
        The event: <strong>{eventTitle(e.type)}</strong>: {describeEvent(e.type, e.data)} (recorded {instantInWords(e.recordedAt)} by {e.recordedBy}). It stays in the timeline, struck through, and stops counting.
      </p>
      <p class="sentence">
        Status today ({dateInWords(preview.asOf)}): <StatusBadge status={preview.before.status} /> now, <StatusBadge status={preview.after.status} /> after the retraction
        {preview.before.status === preview.after.status ? ' (unchanged)' : ` (${STATUS_WORDS[preview.before.status]} → ${STATUS_WORDS[preview.after.status]})`}.
      </p>
      {preview.intervals ? (
        <div class="two-bars">
          <h3>Status over time, as recorded now</h3>
          <StatusBar intervals={preview.intervals.before} asOf={preview.asOf} id="bar-now" />
          <h3>Status over time, after the retraction</h3>
          <StatusBar intervals={preview.intervals.after} asOf={preview.asOf} id="bar-after" />
        </div>
      ) : (
        <p>The status over time does not change on any day.</p>
      )}
      {preview.changed.length === 0 ? (
        <p>No finding changes today.</p>
      ) : (
        <ul>
          {preview.changed.map((c) => (
            <li data-rule={c.rule}>
              {c.rule} ({c.citation}): {c.before} → {c.after}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
