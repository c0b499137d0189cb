/**
 * Page: the CSV import at /import (admin; docs/reference.md#get-import, docs/decisions.md W21).
 * Upload a file; it is checked row by row exactly as the writes would check it (the bulk import's
 * dry run) and nothing is recorded until **Commit**, which records the whole file or nothing (one
 * transaction on SQLite and PostgreSQL; on EventStoreDB the page says it is not, and each row's
 * idempotency key makes a re-run complete the file without duplicates). A file in another system's
 * format is mapped first: which column is which field, and which course code each course value
 * means; the mapping is remembered for the agency (ImportMappingSaved) and offered next time.
 */
import { Body, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { COURSES } from '../../../events/catalogue';
import { AccessRegistry } from '../../auth/access-registry';
import { CSV_BOM } from '../../common/csv';
import type { ImportCommand, ImportReport } from '../../import/bulk-import';
import { CsvFormatError } from '../../import/csv-commands';
import { ImportCommandsCommand } from '../../import/import-commands';
import { ConsoleRequest, ConsoleRoles } from '../console.guard';
import {
  courseValues,
  decodeCsvUpload,
  guessColumns,
  guessCourse,
  IMPORT_KINDS,
  importKind,
  isProductFormat,
  mappedCommands,
  MAX_IMPORT_BYTES,
  parseCsvText,
  productCommands,
  TEMPLATES,
  withContentKeys,
  type CsvTable,
  type ImportKind,
} from '../csv-import';
import { describeEvent, eventTitle } from '../event-words';
import { CsrfField, Page, Problems } from '../layout';
import { ConsoleController } from '../console-page';
import { sendPage } from '../send-page';

/** Rows of "what would be recorded" shown on the page (all are checked and counted). */
const SHOWN = 200;

type Pending = NonNullable<NonNullable<ConsoleRequest['session']>['pendingImport']>;

@ConsoleController('import')
@ConsoleRoles('admin')
export class ImportPageController {
  constructor(
    private readonly commands: CommandBus,
    private readonly registry: AccessRegistry,
  ) {}

  @Get()
  page(@Req() request: ConsoleRequest, @Res() response: Response): void {
    this.send(request, response, 200, <UploadPage />);
  }

  @Get('templates/:file')
  template(@Req() request: ConsoleRequest, @Param('file') file: string, @Res() response: Response): void {
    const kind = importKind(file.replace(/\.csv$/, ''));
    if (!kind) return void this.send(request, response, 404, <p>No such template.</p>);
    response.type('text/csv').setHeader('Content-Disposition', `attachment; filename="${kind.id}-template.csv"`).send(CSV_BOM + TEMPLATES[kind.id]);
  }

  /** The upload: a product-format file is checked at once; another format goes to the mapping. */
  @Post('check')
  @HttpCode(200)
  async check(@Req() request: ConsoleRequest, @Res() response: Response): Promise<void> {
    const person = request.person!;
    const file = (request as ConsoleRequest & { file?: { originalname: string; buffer: Buffer; size: number } }).file;
    if (!file || file.size === 0) return void this.send(request, response, 400, <UploadPage problems={['File: choose a CSV file to check']} />);
    if (file.size > MAX_IMPORT_BYTES) return void this.send(request, response, 413, <UploadPage problems={['File: at most 5 MB']} />);
    const fileName = file.originalname.replace(/[^\w.\- ]+/g, '_').slice(0, 100) || 'upload.csv';
    let table: CsvTable;
    let decoded: { text: string; readAs: string };
    try {
      // The encoding is found from the bytes (UTF-8, UTF-16 by its byte-order mark, else Windows-1252): decisions W34.
      decoded = decodeCsvUpload(file.buffer);
      table = parseCsvText(decoded.text);
    } catch (error) {
      if (!(error instanceof CsvFormatError)) throw error;
      return void this.send(request, response, 400, <UploadPage problems={[`File: ${error.message}`]} />);
    }
    const pending: Pending = { id: randomUUID(), fileName, text: decoded.text, readAs: decoded.readAs };
    request.session!.pendingImport = pending;
    if (isProductFormat(table)) return this.preview(request, response, pending, table);
    const kind = importKind(typeof request.body?.kind === 'string' ? request.body.kind : '') ?? IMPORT_KINDS[0];
    const saved = await this.registry.importMapping(person.agencyId, kind.id);
    return void this.send(request, response, 200, <MappingPage pending={pending} table={table} kind={kind} saved={saved} />);
  }

  /** The mapping form: columns and course values; then the dry run. */
  @Post('map')
  @HttpCode(200)
  async map(@Req() request: ConsoleRequest, @Body() body: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const person = request.person!;
    const pending = request.session!.pendingImport;
    if (!pending || body.importId !== pending.id) return void this.send(request, response, 409, <UploadPage problems={['This file is no longer waiting to be imported (another file was checked since, or the session ended). Upload it again.']} />);
    const table = parseCsvText(pending.text);
    const kind = importKind(body.kind) ?? IMPORT_KINDS[0];
    if (body.change === 'kind') {
      const saved = await this.registry.importMapping(person.agencyId, kind.id);
      return void this.send(request, response, 200, <MappingPage pending={pending} table={table} kind={kind} saved={saved} />);
    }
    const columns: Record<string, string> = {};
    for (const field of kind.fields) {
      const chosen = body[`column.${field.name}`];
      if (typeof chosen === 'string' && table.headers.includes(chosen)) columns[field.name] = chosen;
    }
    const courses: Record<string, string> = {};
    for (const [i, value] of courseValues(table, columns.course).entries()) {
      const code = body[`course.${i}`];
      if (typeof code === 'string' && (COURSES as readonly string[]).includes(code)) courses[value] = code;
    }
    const missing = kind.fields.filter((f) => !f.optional && !columns[f.name]).map((f) => `${f.label}: choose the column that holds it`);
    if (missing.length) {
      return void this.send(request, response, 400, <MappingPage pending={pending} table={table} kind={kind} saved={{ columns, courses }} problems={missing} />);
    }
    Object.assign(pending, { kind: kind.id, columns, courses });
    return this.preview(request, response, pending, table);
  }

  @Post('commit')
  @HttpCode(200)
  async commit(@Req() request: ConsoleRequest, @Body() body: Record<string, unknown>, @Res() response: Response): Promise<void> {
    const person = request.person!;
    const pending = request.session!.pendingImport;
    if (!pending || body.importId !== pending.id) return void this.send(request, response, 409, <UploadPage problems={['This file is no longer waiting to be imported (it was committed, another file was checked since, or the session ended). Upload it again.']} />);
    const table = parseCsvText(pending.text);
    const report: ImportReport = await this.commands.execute(new ImportCommandsCommand(person.agencyId, person.email, this.commandsOf(pending, table), 'all-or-nothing'));
    if (report.committed) {
      request.session!.pendingImport = undefined;
      if (pending.kind) {
        const data = { agencyId: person.agencyId, kind: pending.kind, columns: pending.columns ?? {}, courses: pending.courses ?? {} };
        await this.registry.append(person.email, () => ({ type: 'ImportMappingSaved', data }));
      }
      // Post/redirect/get (docs/decisions.md W35): the report is shown by a GET, so Back and reload never send the commit again.
      request.session!.committedImport = { pending, report };
      return void response.redirect(303, '/import/committed');
    }
    this.send(request, response, 409, <PreviewPage pending={pending} report={report} />);
  }

  /** The report of the file just committed (kept in the session until another file is committed). */
  @Get('committed')
  committed(@Req() request: ConsoleRequest, @Res() response: Response): void {
    const done = request.session!.committedImport as { pending: Pending; report: ImportReport } | undefined;
    if (!done) return void response.redirect(303, '/import');
    this.send(request, response, 200, <PreviewPage pending={done.pending} report={done.report} committedNow />);
  }

  private commandsOf(pending: Pending, table: CsvTable): ImportCommand[] {
    const kind = importKind(pending.kind);
    const commands = kind ? mappedCommands(kind, table, pending.columns ?? {}, pending.courses ?? {}) : productCommands(table);
    return withContentKeys(commands);
  }

  /** The checked file's dry run is shown by a GET (post/redirect/get, docs/decisions.md W35): Back from the commit's report returns to it, never to a form sent again. */
  private preview(_request: ConsoleRequest, response: Response, _pending: Pending, _table: CsvTable): void {
    response.redirect(303, '/import/review');
  }

  /** The dry run of the file waiting in the session (nothing recorded); without one, the upload page. */
  @Get('review')
  async review(@Req() request: ConsoleRequest, @Res() response: Response): Promise<void> {
    const person = request.person!;
    const pending = request.session!.pendingImport;
    if (!pending) return void response.redirect(303, '/import');
    const report: ImportReport = await this.commands.execute(new ImportCommandsCommand(person.agencyId, person.email, this.commandsOf(pending, parseCsvText(pending.text)), 'dry-run'));
    this.send(request, response, 200, <PreviewPage pending={pending} report={report} />);
  }

  private send(request: ConsoleRequest, response: Response, status: number, page: preact.VNode): void {
    sendPage(request, response, page, status);
  }
}

function UploadPage(props: { problems?: string[] }) {
  return (
    <Page title="Import a CSV">
      <h1>Import a CSV file</h1>
      <p>
        Load many records at once: a training provider’s roster, substitute days, assignments. The file is checked row by row exactly as the forms would check it, and nothing is recorded until you
        press <strong>Commit</strong>; then the whole file is recorded, or nothing.
      </p>
      <form method="post" action="/import/check" encType="multipart/form-data" class="stack narrow">
        <Problems messages={props.problems} />
        <CsrfField />
        <div class="field">
          <label for="file">CSV file</label>
          <input id="file" name="file" type="file" accept=".csv,text/csv,.txt,text/plain,.tsv,text/tab-separated-values" required aria-describedby="file-hint" />
          <span id="file-hint" class="hint">
            At most 5 MB and 20,000 rows. The first line names the columns. Any of Excel’s “Save as” types for text works: CSV UTF-8, CSV (Comma delimited) or Unicode text; the check says how the
            file was read. Dates may be written 2025-08-12 or 8/12/2025 (month first).
          </span>
        </div>
        <div class="field">
          <label for="kind">If the file comes from another system, it holds</label>
          <select id="kind" name="kind">
            {IMPORT_KINDS.map((k) => (
              <option value={k.id}>{k.title}</option>
            ))}
          </select>
        </div>
        <button type="submit">Check the file</button>
      </form>
      <h2>Templates</h2>
      <p>Files in this product’s own format (a “command” column and the fields by name) need no mapping:</p>
      <ul>
        {IMPORT_KINDS.map((k) => (
          <li>
            <a href={`/import/templates/${k.id}.csv`} download>
              Template: {k.title.toLowerCase()}
            </a>
          </li>
        ))}
      </ul>
    </Page>
  );
}

function MappingPage(props: {
  pending: Pending;
  table: CsvTable;
  kind: ImportKind;
  saved?: { columns: Record<string, string>; courses: Record<string, string> };
  problems?: string[];
}) {
  const { table, kind } = props;
  const columns = guessColumns(kind, table.headers, props.saved?.columns);
  const values = courseValues(table, columns.course);
  return (
    <Page title="Map the columns">
      <h1>Which column is which?</h1>
      <p>
        {props.pending.fileName} is not in this product’s own format. Say which of its columns holds each field
        {props.saved ? ' (the mapping saved last time is filled in)' : ''}. Nothing is recorded yet.
      </p>
      <ReadAs pending={props.pending} />
      <form method="post" action="/import/map" class="stack">
        <Problems messages={props.problems} />
        <CsrfField />
        <input type="hidden" name="importId" value={props.pending.id} />
        <div class="field narrow">
          <label for="kind">The file holds</label>
          <select id="kind" name="kind">
            {IMPORT_KINDS.map((k) => (
              <option value={k.id} selected={k.id === kind.id}>
                {k.title}
              </option>
            ))}
          </select>
          <button type="submit" name="change" value="kind">
            Change the kind of records
          </button>
        </div>
        <fieldset>
          <legend>Columns</legend>
          {kind.fields.map((field) => (
            <div class="field narrow">
              <label for={`column-${field.name}`}>
                {field.label}
                {field.optional ? ' (optional)' : ''}
              </label>
              <select id={`column-${field.name}`} name={`column.${field.name}`}>
                <option value="">{field.optional ? 'Not in this file' : 'Choose a column'}</option>
                {table.headers.map((h) => (
                  <option value={h} selected={columns[field.name] === h}>
                    {h}
                  </option>
                ))}
              </select>
            </div>
          ))}
        </fieldset>
        {values.length > 0 && (
          <fieldset>
            <legend>Which course is each value of the “{columns.course}” column?</legend>
            {values.map((value, i) => {
              const chosen = props.saved?.courses?.[value] ?? guessCourse(value);
              return (
                <div class="field narrow">
                  <label for={`course-${i}`}>{value}</label>
                  <select id={`course-${i}`} name={`course.${i}`}>
                    <option value="">Not a course this product tracks (refuse the row)</option>
                    {COURSES.map((c) => (
                      <option value={c} selected={chosen === c}>
                        {c}
                      </option>
                    ))}
                  </select>
                </div>
              );
            })}
          </fieldset>
        )}
        <h2>The first rows of the file</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Line</th>
              {table.headers.map((h) => (
                <th scope="col">{h}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.slice(0, 5).map((r) => (
              <tr>
                <td>{r.line}</td>
                {table.headers.map((h) => (
                  <td>{r.record[h]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <button type="submit">Check with this mapping</button>
      </form>
    </Page>
  );
}

/** How the file's bytes were read (decisions W34), so that a person sees it before the names are recorded. */
function ReadAs({ pending, committed }: { pending: Pending; committed?: boolean }) {
  if (!pending.readAs) return null;
  return (
    <p id="read-as" data-read-as={pending.readAs}>
      {pending.fileName} was read as {pending.readAs}.{committed ? '' : ' Check that the names below are spelled right before you commit.'}
    </p>
  );
}

/** The column a message is about, in the file's own words when the file was mapped. */
function columnOf(message: string, pending: Pending): string {
  const field = /^(\w+)(?:[ :.]|$)/.exec(message)?.[1] ?? '';
  return pending.columns?.[field] ?? field;
}

function PreviewPage(props: { pending: Pending; report: ImportReport; committedNow?: boolean }) {
  const { report, pending } = props;
  const ok = report.rejectedCount === 0;
  const recorded = report.recorded ?? [];
  return (
    <Page title={props.committedNow ? 'Import recorded' : 'Check the import'}>
      <h1>{props.committedNow ? 'The file is recorded' : `Check of ${pending.fileName}`}</h1>
      <ReadAs pending={pending} committed={props.committedNow} />
      <p class="sentence" role="status" data-import={props.committedNow ? 'committed' : ok ? 'ready' : 'refused'}>
        {props.committedNow
          ? `Recorded ${report.eventsAppended} record${report.eventsAppended === 1 ? '' : 's'} from ${report.commands} rows${report.duplicates ? `; ${report.duplicates} row${report.duplicates === 1 ? ' was' : 's were'} already recorded and ${report.duplicates === 1 ? 'was' : 'were'} skipped` : ''}.`
          : ok
            ? `All ${report.commands} rows can be recorded: ${report.accepted} new record${report.accepted === 1 ? '' : 's'}${report.duplicates ? `, ${report.duplicates} already recorded (skipped)` : ''}. Nothing is recorded until you commit.`
            : `${report.rejectedCount} of ${report.commands} rows cannot be recorded. Nothing is recorded until every row can be: correct the file and check it again.`}
      </p>
      {!report.atomic && (
        <p class="notice">
          This ledger’s store (EventStoreDB) cannot record many records in one transaction: a commit interrupted half way leaves part of the file recorded. Each row carries its own key, so checking
          and committing the same file again completes it without recording anything twice.
        </p>
      )}
      {!ok && (
        <section aria-labelledby="problems-heading">
          <h2 id="problems-heading">Problems ({report.rejectedCount})</h2>
          <table class="problems-table">
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">Column</th>
                <th scope="col">Problem</th>
              </tr>
            </thead>
            <tbody>
              {report.rejected.flatMap((r) =>
                r.messages.map((m) => (
                  <tr data-line={String(r.line ?? '')}>
                    <td>{r.line ?? r.index + 2}</td>
                    <td>{columnOf(m, pending)}</td>
                    <td>{m}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </section>
      )}
      {!props.committedNow && ok && report.accepted > 0 && (
        <form method="post" action="/import/commit" class="stack">
          <CsrfField />
          <input type="hidden" name="importId" value={pending.id} />
          <button type="submit">Commit: record all {report.accepted}</button>
        </form>
      )}
      <section aria-labelledby="recorded-heading">
        <h2 id="recorded-heading">
          {props.committedNow ? 'Recorded' : 'Would be recorded'} ({report.accepted}
          {recorded.length > SHOWN ? `, the first ${SHOWN} shown` : ''})
        </h2>
        {recorded.length === 0 ? (
          <p>Nothing new.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">Officer</th>
                <th scope="col">Record</th>
              </tr>
            </thead>
            <tbody>
              {recorded.slice(0, SHOWN).map((r) => (
                <tr>
                  <td>{r.line ?? r.index + 2}</td>
                  <td>{r.stream.startsWith('officer-') ? r.stream.slice(r.stream.indexOf('/') + 1) : 'the agency'}</td>
                  <td>
                    <strong>{eventTitle(r.type)}</strong>: {describeEvent(r.type, r.data)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <p>
        <a href="/import">Import another file</a> · <a href="/">Dashboard</a>
      </p>
    </Page>
  );
}
