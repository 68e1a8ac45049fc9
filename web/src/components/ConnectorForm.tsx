// The connector form, shared by "Add connector" and a connector's settings: which CRM (when
// adding), name, API address, token (write-only: when editing, empty keeps the stored one) and
// the field mapping overrides.
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, mapFieldErrors, type ConnectorKind, type FieldMappingOverrides } from '../api';
import {
  CONNECTOR_KINDS,
  MAPPING_TARGETS,
  METADATA,
  SCHEDULE_CHOICES,
  connectorFormErrors,
  mappingErrorsByRow,
  mappingFromRows,
  scheduleLabel,
  targetLabel,
  type ConnectorForm,
  type MappingRow,
} from '../connectors';
import { FieldError } from './ui';

export interface ConnectorFormState extends ConnectorForm {
  rows: MappingRow[];
}

const FORM_FIELDS = [
  'kind',
  'name',
  'base_url',
  'token',
  'oauth.client_id',
  'oauth.client_secret',
  'oauth.refresh_token',
  'oauth',
  'sync_every_minutes',
] as const;

/**
 * The state of a connector form and its submission: the checks made here first, then
 * `send` with the mapping overrides the rows make; the server's 422 and 409 answers land on
 * their fields and mapping rows, anything else in `problem`.
 */
export function useConnectorForm(
  initial: ConnectorFormState,
  creating: boolean,
  send: (form: ConnectorFormState, mapping: FieldMappingOverrides) => Promise<void>,
) {
  const [form, setForm] = useState<ConnectorFormState>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [rowErrors, setRowErrors] = useState<Record<number, string>>({});
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local = connectorFormErrors(form, creating);
    const mapping = mappingFromRows(form.rows);
    setErrors(local);
    setRowErrors(mapping.errors);
    setProblem(null);
    if (Object.keys(local).length || Object.keys(mapping.errors).length) return;
    setBusy(true);
    try {
      await send(form, mapping.mapping);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 422 || err.status === 409)) {
        const { byField } = mapFieldErrors(err, FORM_FIELDS);
        if (err.status === 409) byField.name = err.summary; // names are unique in the organization
        const byRow = mappingErrorsByRow(err, form.rows);
        setErrors(byField);
        setRowErrors(byRow);
        if (!Object.keys(byField).length && !Object.keys(byRow).length) setProblem(err);
      } else setProblem(err);
    } finally {
      setBusy(false);
    }
  };
  return { form, setForm, errors, rowErrors, problem, setProblem, busy, submit };
}

export function ConnectorFormFields({
  value,
  onChange,
  creating,
  hasCredentials,
  credentialsKind,
  errors,
  rowErrors,
  busy,
  submitLabel,
  onSubmit,
  extraActions,
  extraFields,
}: {
  value: ConnectorFormState;
  onChange: (next: ConnectorFormState) => void;
  creating: boolean;
  hasCredentials?: boolean;
  credentialsKind?: string | null;
  errors: Record<string, string>;
  rowErrors: Record<number, string>;
  busy: boolean;
  submitLabel: string;
  onSubmit: (e: FormEvent) => void;
  extraActions?: ReactNode;
  /** Shown after the schedule (adding a connector: its sync options). */
  extraFields?: ReactNode;
}) {
  const id = useId();
  const info = CONNECTOR_KINDS[value.kind];
  const set = (patch: Partial<ConnectorFormState>) => onChange({ ...value, ...patch });
  const described = (field: string, hint: boolean) =>
    [hint ? `${id}-${field}-hint` : '', errors[field] ? `${id}-${field}-error` : ''].filter(Boolean).join(' ') ||
    undefined;

  const stored =
    hasCredentials && credentialsKind
      ? credentialsKind === 'refresh_token'
        ? 'A refresh token is stored (encrypted; it is never shown).'
        : 'A token is stored (encrypted; it is never shown).'
      : 'No credentials are stored: syncs fail until they are set.';
  // A write-only credential input: empty when editing keeps what is stored.
  const secretField = (
    field: string,
    label: string,
    current: string,
    change: (v: string) => void,
    type: 'password' | 'text' = 'password',
    hint?: string,
  ) => {
    const key = field.replace('.', '-');
    return (
      <div className="field" key={field}>
        <label htmlFor={`${id}-${key}`}>
          {label}
          {creating ? '' : ' (leave empty to keep the current one)'}
        </label>
        <input
          id={`${id}-${key}`}
          value={current}
          type={type}
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => change(e.target.value)}
          aria-invalid={!!errors[field]}
          aria-describedby={[`${id}-${key}-hint`, errors[field] ? `${id}-${key}-error` : ''].filter(Boolean).join(' ')}
        />
        <p id={`${id}-${key}-hint`} className="hint">
          {hint ? `${hint} ` : ''}
          {creating ? 'Stored encrypted and never shown again.' : stored}
        </p>
        <FieldError id={`${id}-${key}-error`} message={errors[field]} />
      </div>
    );
  };

  return (
    <form onSubmit={onSubmit} noValidate className="connector-form">
      {creating && (
        <fieldset className="field">
          <legend>CRM</legend>
          <div className="choice-row">
            {(Object.keys(CONNECTOR_KINDS) as ConnectorKind[]).map((k) => (
              <label key={k} className="check radio">
                <input
                  type="radio"
                  name={`${id}-kind`}
                  value={k}
                  checked={value.kind === k}
                  onChange={() => {
                    // A name still equal to the other CRM's default follows the choice.
                    const renamed = Object.values(CONNECTOR_KINDS).some((c) => c.label === value.name) || !value.name;
                    set({ kind: k, ...(renamed ? { name: CONNECTOR_KINDS[k].label } : {}) });
                  }}
                />
                {CONNECTOR_KINDS[k].label}
              </label>
            ))}
          </div>
        </fieldset>
      )}
      <div className="form-grid">
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            value={value.name}
            maxLength={200}
            onChange={(e) => set({ name: e.target.value })}
            aria-invalid={!!errors.name}
            aria-describedby={described('name', false)}
          />
          <FieldError id={`${id}-name-error`} message={errors.name} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-base_url`}>
            API address{info.baseUrlRequired ? '' : ' (optional)'}
          </label>
          <input
            id={`${id}-base_url`}
            value={value.baseUrl}
            type="url"
            inputMode="url"
            placeholder={info.baseUrlRequired ? 'https://yourdomain.my.salesforce.com' : 'https://api.hubapi.com'}
            onChange={(e) => set({ baseUrl: e.target.value })}
            aria-invalid={!!errors.base_url}
            aria-describedby={described('base_url', true)}
          />
          <p id={`${id}-base_url-hint`} className="hint">
            {info.baseUrlHint}
          </p>
          <FieldError id={`${id}-base_url-error`} message={errors.base_url} />
        </div>
        {value.kind === 'salesforce' && (
          <fieldset className="field">
            <legend>Credentials</legend>
            <div className="choice-row">
              <label className="check radio">
                <input
                  type="radio"
                  name={`${id}-auth`}
                  checked={value.auth === 'token'}
                  onChange={() => set({ auth: 'token' })}
                />
                Paste an access token
              </label>
              <label className="check radio">
                <input
                  type="radio"
                  name={`${id}-auth`}
                  checked={value.auth === 'refresh_token'}
                  onChange={() => set({ auth: 'refresh_token' })}
                />
                Use a connected app’s refresh token
              </label>
            </div>
            <p className="hint">
              {value.auth === 'refresh_token'
                ? 'Each sync gets a fresh access token, so scheduled syncs keep working.'
                : 'Access tokens expire within hours; a refresh token does not need replacing.'}
            </p>
          </fieldset>
        )}
        {value.kind === 'salesforce' && value.auth === 'refresh_token' ? (
          <>
            {secretField('oauth.client_id', 'Consumer key', value.clientId, (v) => set({ clientId: v }), 'text')}
            {secretField('oauth.client_secret', 'Consumer secret', value.clientSecret, (v) => set({ clientSecret: v }))}
            {secretField('oauth.refresh_token', 'Refresh token', value.refreshToken, (v) => set({ refreshToken: v }))}
          </>
        ) : (
          secretField('token', info.tokenLabel, value.token, (v) => set({ token: v }), 'password', info.tokenHint)
        )}
        <div className="field">
          <label htmlFor={`${id}-every`}>Sync automatically</label>
          <select
            id={`${id}-every`}
            value={value.every === null ? '' : String(value.every)}
            onChange={(e) => set({ every: e.target.value === '' ? null : Number(e.target.value) })}
            aria-invalid={!!errors.sync_every_minutes}
            aria-describedby={described('sync_every_minutes', true)}
          >
            {SCHEDULE_CHOICES.map((c) => (
              <option key={c.label} value={c.minutes === null ? '' : String(c.minutes)}>
                {c.label}
              </option>
            ))}
            {value.every !== null && !SCHEDULE_CHOICES.some((c) => c.minutes === value.every) && (
              <option value={String(value.every)}>{scheduleLabel(value.every)}</option>
            )}
          </select>
          <p id={`${id}-sync_every_minutes-hint`} className="hint">
            Scheduled syncs fetch what changed since the last one and import it with the connector’s sync options.
          </p>
          <FieldError id={`${id}-sync_every_minutes-error`} message={errors.sync_every_minutes} />
        </div>
      </div>
      {extraFields}
      <MappingEditor
        kind={value.kind}
        rows={value.rows}
        onChange={(rows) => set({ rows })}
        rowErrors={rowErrors}
      />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : submitLabel}
        </button>
        {extraActions}
      </div>
    </form>
  );
}

/** Rows of "CRM property -> lead field" overrides of the default mapping. */
export function MappingEditor({
  kind,
  rows,
  onChange,
  rowErrors,
}: {
  kind: ConnectorKind;
  rows: MappingRow[];
  onChange: (rows: MappingRow[]) => void;
  rowErrors: Record<number, string>;
}) {
  const id = useId();
  const info = CONNECTOR_KINDS[kind];
  const update = (i: number, patch: Partial<MappingRow>) =>
    onChange(rows.map((r, k) => (k === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="field mapping-editor">
      <legend>Field mapping changes (optional)</legend>
      <p className="hint">
        The default mapping brings names, email, phone, company and title over. Add a row to send another{' '}
        {info.label} property to a lead field or to metadata, to change where a property goes, or to leave one out
        (e.g. <code>{info.propertyExample}</code>).
      </p>
      {rowErrors[-1] && <p className="field-error">{rowErrors[-1]}</p>}
      {rows.length > 0 && (
        <table className="table table-compact">
          <caption className="sr-only">Field mapping changes</caption>
          <thead>
            <tr>
              <th scope="col">{info.label} property</th>
              <th scope="col">Goes to</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => {
              const isMetadata = row.target.startsWith(METADATA);
              const errorId = `${id}-row-${i}-error`;
              return (
                <tr key={i}>
                  <td>
                    <input
                      aria-label={`${info.label} property, row ${i + 1}`}
                      value={row.property}
                      placeholder={info.propertyExample}
                      spellCheck={false}
                      onChange={(e) => update(i, { property: e.target.value })}
                      aria-invalid={!!rowErrors[i]}
                      aria-describedby={rowErrors[i] ? errorId : undefined}
                    />
                    <FieldError id={errorId} message={rowErrors[i]} />
                  </td>
                  <td>
                    <div className="inline-control">
                      <select
                        aria-label={`Goes to, row ${i + 1}`}
                        value={isMetadata ? METADATA : row.target}
                        onChange={(e) =>
                          update(i, {
                            target: e.target.value === METADATA ? `${METADATA}${row.property.trim()}` : e.target.value,
                          })
                        }
                      >
                        {MAPPING_TARGETS.map((t) => (
                          <option key={t} value={t}>
                            {targetLabel(t)}
                          </option>
                        ))}
                        <option value={METADATA}>Metadata…</option>
                        <option value="">Not imported</option>
                      </select>
                      {isMetadata && (
                        <input
                          aria-label={`Metadata key, row ${i + 1}`}
                          value={row.target.slice(METADATA.length)}
                          spellCheck={false}
                          onChange={(e) => update(i, { target: `${METADATA}${e.target.value}` })}
                        />
                      )}
                    </div>
                  </td>
                  <td>
                    <button
                      type="button"
                      className="btn btn-small btn-ghost"
                      aria-label={`Remove row ${i + 1}`}
                      onClick={() => onChange(rows.filter((_, k) => k !== i))}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <button
        type="button"
        className="btn btn-small"
        onClick={() => onChange([...rows, { property: '', target: 'first_name' }])}
      >
        Add a mapping row
      </button>
    </fieldset>
  );
}
