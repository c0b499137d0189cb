/**
 * The view of a record form's page (record.tsx, docs/reference.md#web-console): the form with its
 * fields and messages, the preview of a retraction, the earlier records it looks like. Apart from
 * the page's controller so that each file stays readable (docs/decisions.md W45).
 */
import { type RetractionPreview } from '../../officers/retract-event';
import { type AgencyRetractionPreview } from '../../agencies/retract-agency-event';
import { describeEvent, eventTitle } from '../event-words';
import { dateInWords, instantInWords, OUTCOME_WORDS, statusWords, StatusBadge } from '../layout';
import { officerUrl } from '../console-axes';
import { CsrfField, Page, Problems, type Person } from '../layout';
import { type FormRecords, type LikelyDuplicate, type RecordForm } from '../record-forms';
import { StatusBar } from '../status-bar';

/** A refused submission kept for the page its POST redirects to (at most MAX_KEPT_FORMS a session, the oldest forgotten). */
export interface KeptForm {
  status: number;
  values: Record<string, unknown>;
  fields?: Record<string, string[]>;
  other?: string[];
  duplicates?: LikelyDuplicate[];
}
export const MAX_KEPT_FORMS = 10;

export interface FormState {
  preview?: RetractionPreview;
  agencyPreview?: AgencyRetractionPreview;
  records?: FormRecords;
  /** Earlier records this submission looks like: shown with "Record it anyway"; nothing recorded yet. */
  duplicates?: LikelyDuplicate[];
  key?: string;
  values?: Record<string, unknown>;
  fields?: Record<string, string[]>;
  other?: string[];
}

export function RecordPage(props: { form: RecordForm; officerId?: string; state: FormState }) {
  const { form, officerId, state } = props;
  const action = officerId ? `${officerUrl(officerId)}/records/${form.id}` : `/records/${form.id}`;
  const back = officerId ? officerUrl(officerId) : '/';
  const records: FormRecords = state.records ?? { officer: [], agency: [] };
  return (
    <Page title={form.title}>
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
      {state.agencyPreview && <PreviewOfAgencyRetraction preview={state.agencyPreview} />}
      <form method="post" action={action} class="stack narrow" noValidate encType={form.upload ? 'multipart/form-data' : undefined}>
        <Problems messages={state.other} />
        {state.duplicates && state.duplicates.length > 0 && (
          <section class="problems duplicates" role="alert" aria-labelledby="duplicates-heading" data-duplicates={state.duplicates.length}>
            <h2 id="duplicates-heading">This looks like a record already made</h2>
            <p>Nothing was recorded. These records are already in the ledger:</p>
            <ul>
              {state.duplicates.map((d) => (
                <li>{d.words}</li>
              ))}
            </ul>
            <p>If this is a different fact, tick “Record it anyway” and press the button again; if it is the same, press Cancel.</p>
            <div class="field checkbox">
              <input type="checkbox" id="field-recordAnyway" name="recordAnyway" value="yes" />
              <label for="field-recordAnyway">Record it anyway</label>
            </div>
          </section>
        )}
        <CsrfField />
        <input type="hidden" name="idempotencyKey" value={state.key} />
        {form.fields.map((field) => {
          const id = `field-${field.name}`;
          const errors = state.fields?.[field.name];
          const value = String(state.values?.[field.name] ?? '');
          const choices = field.choices?.of(records);
          const hint = choices && choices.length === 0 ? field.choices!.none : field.hint;
          const described = [hint ? `${id}-hint` : '', errors ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
          const common = { id, name: field.name, 'aria-describedby': described, 'aria-invalid': errors ? ('true' as const) : undefined, required: !field.optional };
          return (
            <div class={errors ? 'field invalid' : 'field'}>
              <label for={id}>
                {field.label}
                {field.optional ? ' (optional)' : ''}
              </label>
              {choices ? (
                <select {...common}>
                  <option value="" selected={value === ''}>
                    {field.choices!.prompt}
                  </option>
                  {choices.map((o) => (
                    <option value={o.value} selected={o.value === value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              ) : field.kind === 'select' ? (
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
              {hint && (
                <span id={`${id}-hint`} class="hint">
                  {hint}
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
        {form.id === 'retract' && (
          <button type="submit" name="action" value="preview" formNoValidate class="secondary">
            Show what it will change
          </button>
        )}
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
        Status today ({dateInWords(preview.asOf)}): <StatusBadge status={preview.before.status} restrictedDuties={preview.before.restrictedDuties} /> now,{' '}
        <StatusBadge status={preview.after.status} restrictedDuties={preview.after.restrictedDuties} /> after the retraction
        {preview.before.status === preview.after.status
          ? ' (unchanged)'
          : ` (${statusWords(preview.before.status, preview.before.restrictedDuties)} → ${statusWords(preview.after.status, preview.after.restrictedDuties)})`}
        .
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

/** What retracting an agency record would change: the agency's own findings today, now and after. */
function PreviewOfAgencyRetraction({ preview }: { preview: AgencyRetractionPreview }) {
  const e = preview.event;
  const words = (o: string, when: 'now' | 'after') => (!o ? (when === 'now' ? 'not judged now' : 'no longer judged after the retraction') : `${judged(o)} ${when === 'now' ? 'now' : 'after the retraction'}`);
  const judged = (o: string) => (o.replace(/^([A-Z_]+)( due (\d{4}-\d{2}-\d{2}))?$/, (_m, out: string, _d, due?: string) => `${OUTCOME_WORDS[out as keyof typeof OUTCOME_WORDS] ?? out}${due ? `, due ${dateInWords(due)}` : ''}`));
  return (
    <section aria-labelledby="preview-heading" class="preview" data-agency-preview={preview.changed.length}>
      <h2 id="preview-heading">What this retraction will change</h2>
      <p>
        The record: <strong>{eventTitle(e.type)}</strong>: {describeEvent(e.type, e.data)} (recorded {instantInWords(e.recordedAt)} by {e.recordedBy}).
        {e.retractedBy ? ' It is already retracted.' : ' It stays in the ledger, marked as retracted, and stops counting.'}
      </p>
      {preview.changed.length === 0 ? (
        <p>None of the agency’s own findings changes today ({dateInWords(preview.asOf)}).</p>
      ) : (
        <>
          <p>The agency’s own findings today ({dateInWords(preview.asOf)}):</p>
          <ul>
            {preview.changed.map((c) => (
              <li data-rule={c.rule}>
                {c.rule}
                {c.contractId ? ` (contract ${c.contractId})` : ''} ({c.citation}): {words(c.before, 'now')} → {words(c.after, 'after')}
              </li>
            ))}
          </ul>
        </>
      )}
      <p>The officers’ own findings that rest on it (such as their reviews of a retracted policy version) are evaluated again too: see each officer’s record.</p>
    </section>
  );
}
