/**
 * Page: one record form (admin; record-forms.ts), at /records/:form for the agency's records and
 * /officers/:officerId/records/:form for an officer's. The form is checked by the API's own
 * validation pipe and DTO and sent as the API's typed command through the CommandBus, recorded by
 * the signed-in person. A refusal shows each message beside its field and keeps what was typed;
 * a success returns to the officer's record (or the dashboard) saying what was recorded. Each
 * rendered form carries its own idempotency key, so a double click, a reload or the back button
 * records once.
 */
import { BadRequestException, Body, Controller, Get, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { ID_PATTERN } from '../../../events/streams';
import { Public } from '../../auth/roles.decorator';
import { createValidationPipe } from '../../common/validation';
import { NotFound, Refusal } from '../../write/refusals';
import { ConsoleGuard, ConsoleRequest, ConsoleRoles } from '../console.guard';
import { CsrfField, Page, Problems, renderPage, type Person } from '../layout';
import { recordForm, type RecordForm } from '../record-forms';

const pipe = createValidationPipe();
const KEY = /^[A-Za-z0-9-]{1,64}$/;

/** The form's values as the DTO takes them: trimmed, empty optional fields left out, lines as a list. */
function bodyOf(form: RecordForm, raw: Record<string, unknown>): { values: Record<string, unknown>; body: Record<string, unknown> } {
  const values: Record<string, unknown> = {};
  const body: Record<string, unknown> = {};
  for (const field of form.fields) {
    const text = typeof raw[field.name] === 'string' ? (raw[field.name] as string) : '';
    values[field.name] = text;
    if (form.pathFields?.includes(field.name)) continue;
    if (field.kind === 'lines') {
      body[field.name] = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    } else if (text.trim() !== '' || !field.optional) {
      body[field.name] = text.trim();
    }
  }
  return { values, body };
}

/** Which field a message is about: messages begin with the field's name (`startDate must be ...`, `trainingId: ...`). */
function byField(form: RecordForm, messages: string[]): { fields: Record<string, string[]>; other: string[] } {
  const fields: Record<string, string[]> = {};
  const other: string[] = [];
  for (const m of messages) {
    const field = form.fields.find((f) => m.startsWith(`${f.name} `) || m.startsWith(`${f.name}:`) || m.startsWith(`${f.name}.`));
    if (field) (fields[field.name] ??= []).push(m);
    else other.push(m);
  }
  return { fields, other };
}

@Controller()
@Public()
@UseGuards(ConsoleGuard)
@ConsoleRoles('admin')
export class RecordFormController {
  constructor(private readonly commands: CommandBus) {}

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
  officerForm(@Req() request: ConsoleRequest, @Param('officerId') officerId: string, @Param('form') id: string, @Res() response: Response): void {
    this.show(request, response, this.form('officer', id), this.officer(officerId));
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
    const { values, body } = bodyOf(form, raw);
    const key = typeof raw.idempotencyKey === 'string' && KEY.test(raw.idempotencyKey) ? raw.idempotencyKey : randomUUID();
    const again = (messages: string[], status: number) => {
      const { fields, other } = byField(form, messages);
      this.show(request, response, form, officerId, { key, values, fields, other }, status);
    };
    const pathProblems = (form.pathFields ?? []).filter((f) => !ID_PATTERN.test(String(values[f]).trim())).map((f) => `${f} must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`);
    let dto: object;
    try {
      dto = await pipe.transform(body, { type: 'body', metatype: form.dto });
    } catch (error) {
      if (!(error instanceof BadRequestException)) throw error;
      const message = (error.getResponse() as { message?: string | string[] }).message;
      return again([...pathProblems, ...(Array.isArray(message) ? message : [String(message)])], 400);
    }
    if (pathProblems.length) return again(pathProblems, 400);
    for (const f of form.pathFields ?? []) values[f] = String(values[f]).trim();
    const ctx = { agencyId: person.agencyId, recordedBy: person.email, correlationId: randomUUID(), idempotencyKey: `console:${person.userId}:${key}` };
    try {
      await this.commands.execute(form.command(ctx, officerId ?? '', values, dto));
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      return again(error.messages, error.status);
    }
    request.session!.notice = form.done(values);
    response.redirect(303, officerId ? `/officers/${encodeURIComponent(officerId)}` : '/');
  }
}

interface FormState {
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
      <form method="post" action={action} class="stack narrow" noValidate>
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
