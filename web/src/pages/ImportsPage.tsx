// Imports: upload a CSV or XLSX file (file input or drag and drop), check the proposed column
// mapping against a preview of the first rows, choose how duplicates and Do-Not-Call numbers
// are handled, start the import; below, the past imports.
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type FormEvent } from 'react';
import { ApiError, type ImportJob, type ImportPreview, type ImportPreviewColumn, type ImportPreviewRow } from '../api';
import { api } from '../session';
import { Link, navigate } from '../router';
import { formatDateTime, formatRelative } from '../format';
import { formatPhone } from '../phone';
import {
  DEFAULT_OPTIONS,
  DELIMITERS,
  IMPORT_FIELDS,
  contentTypeFor,
  columnSamples,
  csvHead,
  duplicateTargets,
  editColumn,
  effectiveColumns,
  fieldLabel,
  fileProblem,
  formatBytes,
  formatCount,
  formatOfName,
  importParams,
  isActive,
  metadataTarget,
  outcomeLabel,
  outcomeTone,
  previewBody,
  progressOf,
  wizardFieldErrors,
  type CsvRecord,
  type MappingEdits,
  type WizardOptions,
} from '../imports';
import { EmptyState, ErrorNotice, FieldError, Loading, useApp, usePageTitle } from '../components/ui';
import { JobStatusBadge } from './ImportJobPage';

export function ImportsPage() {
  usePageTitle('Imports');
  const { me } = useApp();
  const allowed = me.user.role !== 'agent';
  return (
    <section className="page page-wide" aria-labelledby="imports-title">
      <div className="page-header">
        <div>
          <h1 id="imports-title" tabIndex={-1}>
            Imports
          </h1>
          <p className="muted">
            Bring leads in from a CSV or Excel (.xlsx) file. Phones are checked, duplicates found and Do Not Call
            numbers flagged before anything is saved; an import can be undone.
          </p>
        </div>
      </div>
      {allowed ? (
        <>
          <ImportWizard onStarted={(job) => navigate(`/imports/${job.id}`)} />
          <ImportHistory />
        </>
      ) : (
        <div className="notice notice-warning" role="note">
          <div>
            <strong>Only managers and admins import leads.</strong>
            <p>Ask one of them to import your file.</p>
          </div>
        </div>
      )}
    </section>
  );
}

function toApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError({ status: 0, detail: e instanceof Error ? e.message : String(e) });
}

const ACCEPT = [
  '.csv',
  '.tsv',
  '.txt',
  '.xlsx',
  'text/csv',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
].join(',');

const STEPS = ['Choose a file', 'Check the mapping and options', 'Import'];

export function ImportWizard({ onStarted }: { onStarted: (job: ImportJob) => void }) {
  const { users, me } = useApp();
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const [opts, setOpts] = useState<WizardOptions>(DEFAULT_OPTIONS);
  const [edits, setEdits] = useState<MappingEdits>({});
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [proposal, setProposal] = useState<ImportPreviewColumn[]>([]);
  const [previewError, setPreviewError] = useState<ApiError | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [head, setHead] = useState<CsvRecord[] | null>(null);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<ApiError | null>(null);
  const req = useRef(0);
  const hasPreview = useRef(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const startErrorRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (startError) startErrorRef.current?.focus();
  }, [startError]);

  const choose = (f: File | null) => {
    setFileError(null);
    setPreview(null);
    setProposal([]);
    setPreviewError(null);
    setStartError(null);
    setEdits({});
    setHead(null);
    hasPreview.current = false;
    if (f) {
      const problem = fileProblem(f);
      if (problem) {
        setFileError(problem);
        f = null;
      }
    }
    if (!f && inputRef.current) inputRef.current.value = '';
    setFile(f);
  };

  // The preview follows the file, the options and the mapping; typing waits for a pause.
  useEffect(() => {
    if (!file) {
      req.current++;
      setPreviewing(false);
      return;
    }
    const n = ++req.current;
    setPreviewing(true);
    const t = window.setTimeout(
      async () => {
        try {
          const body = await previewBody(file);
          const p = await api.previewImport(body, contentTypeFor(file), importParams(file, opts, edits));
          if (n !== req.current) return;
          setPreview(p);
          if (!hasPreview.current || !Object.keys(edits).length) setProposal(p.columns);
          hasPreview.current = true;
          setPreviewError(null);
        } catch (e) {
          if (n !== req.current) return;
          setPreviewError(toApiError(e));
        } finally {
          if (n === req.current) setPreviewing(false);
        }
      },
      hasPreview.current ? 350 : 0,
    );
    return () => window.clearTimeout(t);
  }, [file, opts, edits]);

  // The CSV's first records, read here: sample cells of every column (ignored ones too) and
  // the raw cells of rows the preview could not read.
  const delimiter = preview?.delimiter ?? null;
  const format = preview?.format ?? (file ? formatOfName(file.name) : null);
  useEffect(() => {
    setHead(null);
    if (!file || format !== 'csv') return;
    let live = true;
    csvHead(file, opts.delimiter || delimiter)
      .then((h) => live && setHead(h))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [file, format, delimiter, opts.delimiter]);
  const samples = useMemo(() => (head ? columnSamples(head) : null), [head]);
  const rawByLine = useMemo(() => new Map((head ?? []).map((r) => [r.line, r.cells])), [head]);

  const setOpt = <K extends keyof WizardOptions>(k: K, v: WizardOptions[K]) => {
    setStartError(null);
    setOpts((o) => ({ ...o, [k]: v }));
  };

  const columns = useMemo(() => (preview ? effectiveColumns(preview.columns, edits) : []), [preview, edits]);
  const dups = useMemo(() => duplicateTargets(columns), [columns]);
  const shown = startError ?? previewError;
  const fe = useMemo(() => wizardFieldErrors(shown?.errors ?? []), [shown]);

  const start = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setStarting(true);
    setStartError(null);
    try {
      const job = await api.startImport(file, contentTypeFor(file), importParams(file, opts, edits));
      onStarted(job);
    } catch (err) {
      setStartError(toApiError(err));
    } finally {
      setStarting(false);
    }
  };

  // A file dropped anywhere on the page is taken too, rather than opened by the browser.
  const chooseRef = useRef(choose);
  chooseRef.current = choose;
  useEffect(() => {
    const hasFiles = (e: globalThis.DragEvent) => !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');
    const over = (e: globalThis.DragEvent) => {
      if (hasFiles(e)) e.preventDefault();
    };
    const drop = (e: globalThis.DragEvent) => {
      if (e.defaultPrevented || !hasFiles(e)) return;
      e.preventDefault();
      const f = e.dataTransfer?.files?.[0];
      if (f) chooseRef.current(f);
    };
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('drop', drop);
    };
  }, []);

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const f = e.dataTransfer?.files?.[0];
    if (f) choose(f);
  };

  const step = !file ? 0 : 1;
  const fields = preview?.fields?.length ? preview.fields : [...IMPORT_FIELDS];

  return (
    <div className="card">
      <section aria-labelledby="wizard-title">
        <h2 id="wizard-title">New import</h2>
        <ol className="steps" aria-label="Steps">
          {STEPS.map((s, i) => (
            <li key={s} className={i === step ? 'current' : i < step ? 'done' : undefined} aria-current={i === step ? 'step' : undefined}>
              <span className="step-num" aria-hidden="true">
                {i + 1}
              </span>
              {s}
            </li>
          ))}
        </ol>

        <div
          className={`dropzone${dragging ? ' dragging' : ''}`}
          onDragEnter={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragOver={(e) => {
            e.preventDefault();
            if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
          }}
          onDragLeave={(e) => {
            if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
          }}
          onDrop={onDrop}
        >
          <label htmlFor="import-file">CSV or Excel (.xlsx) file</label>
          <input
            ref={inputRef}
            id="import-file"
            type="file"
            accept={ACCEPT}
            onChange={(e) => choose(e.target.files?.[0] ?? null)}
            aria-describedby={fileError ? 'import-file-hint import-file-error' : 'import-file-hint'}
            aria-invalid={fileError ? true : undefined}
          />
          <p id="import-file-hint" className="hint">
            Drop a file here or choose one. The first row names the columns.
          </p>
          <FieldError id="import-file-error" message={fileError ?? undefined} />
          {file && (
            <p className="file-chosen">
              <strong>{file.name}</strong> · {formatBytes(file.size)}
              {preview && (
                <>
                  {' '}
                  · {preview.format.toUpperCase()}
                  {preview.format === 'csv' && preview.delimiter ? `, ${delimiterName(preview.delimiter)}` : ''}
                </>
              )}
              <button type="button" className="btn btn-link" onClick={() => choose(null)}>
                Remove file
              </button>
            </p>
          )}
        </div>

        {file && (
          <form onSubmit={start} noValidate className="wizard-body">
            {previewError && !startError && <ErrorNotice error={previewError} title="The file could not be previewed" />}
            {!preview && previewing && <Loading label="Reading the file…" />}

            {preview && (
              <section aria-labelledby="mapping-title" className="wizard-section">
                <div className="section-header">
                  <h3 id="mapping-title">Column mapping</h3>
                  <span className="muted small" role="status" aria-live="polite">
                    {previewing ? 'Updating the preview…' : ''}
                  </span>
                </div>
                <p className="hint">Each column of the file feeds one lead field. Change any that were guessed wrong.</p>
                {columns.length === 0 ? (
                  <EmptyState title="The file has no columns." />
                ) : (
                  <div className="table-wrap">
                    <table className="table table-compact mapping-table">
                      <caption className="sr-only">Column mapping</caption>
                      <thead>
                        <tr>
                          <th scope="col">Column in the file</th>
                          <th scope="col">Sample values</th>
                          <th scope="col">Lead field</th>
                        </tr>
                      </thead>
                      <tbody>
                        {columns.map((c, i) => (
                          <MappingRow
                            key={`${i}:${c.header}`}
                            index={i}
                            column={c}
                            original={proposal.find((p) => p.header === c.header) ?? preview.columns[i] ?? c}
                            fields={fields}
                            samples={samples?.[i] ?? sampleFromRows(preview.rows, c.field)}
                            error={fe.columns[c.header] ?? (c.field && dups.has(c.field) ? 'Another column feeds this field too.' : undefined)}
                            onChange={(field) => {
                              setStartError(null);
                              setEdits((ed) => editColumn(ed, c.header, field));
                            }}
                          />
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
              </section>
            )}

            {preview && (
              <section aria-labelledby="options-title" className="wizard-section">
                <h3 id="options-title">Options</h3>
                <div className="options-grid">
                  <fieldset aria-describedby={fe.options.dedupe || fe.options.updateMode ? 'opt-dedupe-error' : undefined}>
                    <legend>Rows matching an existing lead (same phone or email)</legend>
                    <Radio name="dedupe" value="skip" current={opts.dedupe} onChange={(v) => setOpt('dedupe', v)}>
                      Skip them
                    </Radio>
                    <Radio name="dedupe" value="update" current={opts.dedupe} onChange={(v) => setOpt('dedupe', v)}>
                      Update the existing lead
                    </Radio>
                    {opts.dedupe === 'update' && (
                      <fieldset className="nested">
                        <legend className="sr-only">How to update</legend>
                        <Radio name="update_mode" value="fill" current={opts.updateMode} onChange={(v) => setOpt('updateMode', v)}>
                          Fill only its empty fields
                        </Radio>
                        <Radio name="update_mode" value="overwrite" current={opts.updateMode} onChange={(v) => setOpt('updateMode', v)}>
                          Overwrite with the file’s values
                        </Radio>
                      </fieldset>
                    )}
                    <Radio name="dedupe" value="create" current={opts.dedupe} onChange={(v) => setOpt('dedupe', v)}>
                      Create a new lead anyway
                    </Radio>
                    <FieldError id="opt-dedupe-error" message={joinDefined(fe.options.dedupe, fe.options.updateMode)} />
                  </fieldset>

                  <fieldset aria-describedby={fe.options.dnc ? 'opt-dnc-error' : undefined}>
                    <legend>Numbers on a Do Not Call list</legend>
                    <Radio name="dnc" value="flag" current={opts.dnc} onChange={(v) => setOpt('dnc', v)}>
                      Import and flag the lead
                    </Radio>
                    <Radio name="dnc" value="skip" current={opts.dnc} onChange={(v) => setOpt('dnc', v)}>
                      Skip the row
                    </Radio>
                    <FieldError id="opt-dnc-error" message={fe.options.dnc} />
                  </fieldset>

                  <fieldset aria-describedby={fe.options.unknownColumns ? 'opt-unknown-error' : undefined}>
                    <legend>Columns no lead field was found for</legend>
                    <Radio name="unknown_columns" value="metadata" current={opts.unknownColumns} onChange={(v) => setOpt('unknownColumns', v)}>
                      Keep them as metadata
                    </Radio>
                    <Radio name="unknown_columns" value="ignore" current={opts.unknownColumns} onChange={(v) => setOpt('unknownColumns', v)}>
                      Ignore them
                    </Radio>
                    <FieldError id="opt-unknown-error" message={fe.options.unknownColumns} />
                  </fieldset>

                  {format !== 'xlsx' && (
                    <div className="field">
                      <label htmlFor="opt-delimiter">Delimiter</label>
                      <select
                        id="opt-delimiter"
                        value={opts.delimiter}
                        onChange={(e) => setOpt('delimiter', e.target.value)}
                        aria-invalid={fe.options.delimiter ? true : undefined}
                        aria-describedby={fe.options.delimiter ? 'opt-delimiter-error' : undefined}
                      >
                        {DELIMITERS.map((d) => (
                          <option key={d.label} value={d.value}>
                            {d.value === '' && preview.delimiter ? `Detect (found ${delimiterName(preview.delimiter)})` : d.label}
                          </option>
                        ))}
                      </select>
                      <FieldError id="opt-delimiter-error" message={fe.options.delimiter} />
                    </div>
                  )}
                </div>
                <div className="options-grid options-text">
                  <TextOption id="opt-source" label="Default source" hint="For rows without a source." value={opts.source} error={fe.options.source} onChange={(v) => setOpt('source', v)} />
                  <TextOption id="opt-tags" label="Tags for every imported lead" hint="Separated by commas." value={opts.tags} error={fe.options.tags} onChange={(v) => setOpt('tags', v)} />
                  <div className="field">
                    <label htmlFor="opt-owner">Owner</label>
                    <select
                      id="opt-owner"
                      value={opts.ownerId}
                      onChange={(e) => setOpt('ownerId', e.target.value)}
                      aria-invalid={fe.options.ownerId ? true : undefined}
                      aria-describedby={`opt-owner-hint${fe.options.ownerId ? ' opt-owner-error' : ''}`}
                    >
                      <option value="">No owner</option>
                      {users.map((u) => (
                        <option key={u.id} value={u.id}>
                          {u.name || u.email}
                          {u.id === me.user.id ? ' (you)' : ''}
                        </option>
                      ))}
                    </select>
                    <p id="opt-owner-hint" className="hint">
                      For rows without an owner.
                    </p>
                    <FieldError id="opt-owner-error" message={fe.options.ownerId} />
                  </div>
                </div>
              </section>
            )}

            {preview && <PreviewRows preview={preview} columns={columns} rawByLine={rawByLine} />}

            {startError && (
              <div ref={startErrorRef} tabIndex={-1} className="error-summary">
                <ErrorNotice
                  error={startError}
                  title={startError.status === 413 ? 'The file is too large to upload' : 'The import was not started'}
                />
              </div>
            )}
            <div className="form-actions">
              <button type="submit" className="btn btn-primary" disabled={starting || !file || dups.size > 0}>
                {starting ? 'Uploading…' : 'Start import'}
              </button>
              <button type="button" className="btn" onClick={() => choose(null)} disabled={starting}>
                Choose another file
              </button>
              {dups.size > 0 && (
                <p className="hint" role="status">
                  Two columns feed {[...dups].map(fieldLabel).join(', ')}: change one of them first.
                </p>
              )}
            </div>
          </form>
        )}
      </section>
    </div>
  );
}

function joinDefined(...xs: (string | undefined)[]): string | undefined {
  const v = xs.filter(Boolean).join('; ');
  return v || undefined;
}

function delimiterName(d: string): string {
  const found = DELIMITERS.find((x) => x.value === d);
  return found ? found.label.toLowerCase() : `“${d}”`;
}

function sampleFromRows(rows: ImportPreviewRow[], field: string): string[] {
  if (!field) return [];
  return rows
    .slice(0, 3)
    .map((r) => showValue(r.values?.[field]))
    .filter(Boolean);
}

function showValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function Radio<T extends string>({
  name,
  value,
  current,
  onChange,
  children,
}: {
  name: string;
  value: T;
  current: T;
  onChange: (v: T) => void;
  children: React.ReactNode;
}) {
  return (
    <label className="check radio">
      <input type="radio" name={name} value={value} checked={current === value} onChange={() => onChange(value)} />
      {children}
    </label>
  );
}

function TextOption({
  id,
  label,
  hint,
  value,
  error,
  onChange,
}: {
  id: string;
  label: string;
  hint: string;
  value: string;
  error?: string;
  onChange: (v: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
      />
      <p id={`${id}-hint`} className="hint">
        {hint}
      </p>
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}

function MappingRow({
  index,
  column,
  original,
  fields,
  samples,
  error,
  onChange,
}: {
  index: number;
  column: ImportPreviewColumn;
  original: ImportPreviewColumn;
  fields: string[];
  samples: string[];
  error?: string;
  onChange: (field: string) => void;
}) {
  const id = `map-${index}`;
  const meta = metadataTarget(original);
  const known = column.field === '' || column.field === meta || fields.includes(column.field);
  const name = column.header || `Column ${index + 1}`;
  return (
    <tr className={error ? 'row-error' : undefined}>
      <th scope="row">{column.header || <span className="muted">(column {index + 1}, no name)</span>}</th>
      <td className="samples">
        {samples.length ? (
          samples.map((s, i) => (
            <span key={i} className="sample">
              {s}
            </span>
          ))
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td>
        <label htmlFor={id} className="sr-only">
          Lead field for column {name}
        </label>
        <div className="inline-control">
          <select
            id={id}
            value={column.field}
            onChange={(e) => onChange(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : undefined}
            data-column={column.header}
          >
            <optgroup label="Lead fields">
              {fields.map((f) => (
                <option key={f} value={f}>
                  {fieldLabel(f)}
                </option>
              ))}
            </optgroup>
            <optgroup label="Other">
              <option value={meta}>Metadata ({meta.slice('metadata.'.length)})</option>
              {!known && <option value={column.field}>{fieldLabel(column.field)}</option>}
              <option value="">Ignore this column</option>
            </optgroup>
          </select>
          {column.guessed && column.field && <span className="badge badge-muted">guessed</span>}
        </div>
        <FieldError id={`${id}-error`} message={error} />
      </td>
    </tr>
  );
}

const hasValues = (r: ImportPreviewRow) => Object.keys(r.values ?? {}).length > 0;

function PreviewRows({
  preview,
  columns,
  rawByLine,
}: {
  preview: ImportPreview;
  columns: ImportPreviewColumn[];
  rawByLine: Map<number, string[]>;
}) {
  // A row the server could not read comes without values: its cells as in the file.
  const raw = (r: ImportPreviewRow) => (hasValues(r) ? undefined : rawByLine.get(r.line));
  const anyRaw = preview.rows.some((r) => raw(r));
  // The fields the rows carry, in column order, then any others the server added.
  const keys = useMemo(() => {
    const out: string[] = [];
    for (const c of columns) if (c.field && !out.includes(c.field)) out.push(c.field);
    const present = new Set(preview.rows.flatMap((r) => Object.keys(r.values ?? {})));
    const used = anyRaw ? out : out.filter((k) => present.has(k));
    for (const k of present) if (!used.includes(k)) used.push(k);
    return used;
  }, [columns, preview.rows, anyRaw]);
  const columnOf = (field: string) => columns.findIndex((c) => c.field === field);
  const counts = useMemo(() => {
    const m = new Map<string, { n: number; tone: string }>();
    for (const r of preview.rows) {
      const label = outcomeLabel(r.outcome);
      m.set(label, { n: (m.get(label)?.n ?? 0) + 1, tone: outcomeTone(r.outcome) });
    }
    return [...m.entries()];
  }, [preview.rows]);
  const n = preview.total_rows_previewed ?? preview.rows.length;
  return (
    <section aria-labelledby="preview-title" className="wizard-section">
      <h3 id="preview-title">Preview of the first {formatCount(n)} rows</h3>
      {preview.rows.length === 0 ? (
        <EmptyState title="The file has no data rows." />
      ) : (
        <>
          <p className="preview-summary">
            {counts.map(([label, c]) => (
              <span key={label} className={`badge ${c.tone}`}>
                {label}: {c.n}
              </span>
            ))}
          </p>
          <div className="table-wrap preview-wrap">
            <table className="table table-compact preview-table">
              <caption className="sr-only">Preview of the first rows</caption>
              <thead>
                <tr>
                  <th scope="col">Line</th>
                  <th scope="col">Outcome</th>
                  {keys.map((k) => (
                    <th scope="col" key={k}>
                      {fieldLabel(k)}
                    </th>
                  ))}
                  <th scope="col">Problems</th>
                </tr>
              </thead>
              <tbody>
                {preview.rows.map((r) => {
                  const bad = new Set(r.errors.map((e) => e.field));
                  const cells = raw(r);
                  return (
                    <tr key={r.line} className={r.errors.length ? 'row-error' : undefined}>
                      <th scope="row">{r.line}</th>
                      <td className="nowrap">
                        <span className={`badge ${outcomeTone(r.outcome)}`}>{outcomeLabel(r.outcome)}</span>
                        {r.duplicate_of_line ? <span className="muted small"> (line {r.duplicate_of_line})</span> : null}
                        {r.dnc && <span className="badge badge-danger">DNC</span>}
                        {r.existing_id && (
                          <>
                            {' '}
                            <Link to={`/leads/${r.existing_id}`}>existing lead</Link>
                          </>
                        )}
                      </td>
                      {keys.map((k) => (
                        <td key={k} className={bad.has(k) ? 'cell-error' : undefined}>
                          {cells ? (
                            <span className="raw-cell" title="As written in the file">
                              {cells[columnOf(k)] ?? ''}
                            </span>
                          ) : k === 'phone' && typeof r.values?.[k] === 'string' ? (
                            formatPhone(r.values[k] as string)
                          ) : (
                            showValue(r.values?.[k])
                          )}
                        </td>
                      ))}
                      <td>
                        {r.errors.length > 0 && (
                          <ul className="row-errors">
                            {r.errors.map((e, i) => (
                              <li key={i}>
                                {e.field && <code>{e.field}</code>} {e.message}
                              </li>
                            ))}
                          </ul>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

// --- past imports ------------------------------------------------------------------------

export function ImportHistory() {
  const { userName } = useApp();
  const [jobs, setJobs] = useState<ImportJob[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);

  const load = useCallback((after?: string) => {
    setError(null);
    if (after) setLoadingMore(true);
    api
      .imports(after)
      .then((p) => {
        setJobs((old) => (after && old ? [...old, ...p.data] : p.data));
        setCursor(p.next_cursor);
      })
      .catch(setError)
      .finally(() => setLoadingMore(false));
  }, []);
  useEffect(() => load(), [load]);

  // Imports still running are read again every 2 s.
  useEffect(() => {
    const active = jobs?.filter(isActive) ?? [];
    if (!active.length) return;
    const t = window.setTimeout(() => {
      Promise.all(active.map((j) => api.importJob(j.id).catch(() => j))).then((fresh) => {
        const byId = new Map(fresh.map((j) => [j.id, j]));
        setJobs((old) => old?.map((j) => byId.get(j.id) ?? j) ?? old);
      });
    }, 2000);
    return () => window.clearTimeout(t);
  }, [jobs]);

  return (
    <div className="card">
      <section aria-labelledby="history-title">
        <div className="section-header">
          <h2 id="history-title">Past imports</h2>
          <button type="button" className="btn btn-small" onClick={() => load()}>
            Refresh
          </button>
        </div>
        {error ? <ErrorNotice error={error} onRetry={() => load()} title="The imports could not be loaded" /> : null}
        {!jobs && !error && <Loading label="Loading imports…" />}
        {jobs && jobs.length === 0 && <EmptyState title="No imports yet." />}
        {jobs && jobs.length > 0 && (
          <div className="table-wrap">
            <table className="table imports-table">
              <caption className="sr-only">Past imports</caption>
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col">Status</th>
                  <th scope="col">Started</th>
                  <th scope="col" className="num">
                    Rows
                  </th>
                  <th scope="col" className="num">
                    Created
                  </th>
                  <th scope="col" className="num">
                    Updated
                  </th>
                  <th scope="col" className="num">
                    Skipped
                  </th>
                  <th scope="col" className="num">
                    Failed
                  </th>
                  <th scope="col" className="num">
                    DNC-flagged
                  </th>
                </tr>
              </thead>
              <tbody>
                {jobs.map((j) => (
                  <tr key={j.id}>
                    <th scope="row" className="col-name">
                      <Link to={`/imports/${j.id}`}>{j.filename || `${j.kind} import`}</Link>
                      <span className="sub">{j.kind.toUpperCase()}</span>
                    </th>
                    <td className="nowrap">
                      <JobStatusBadge job={j} />
                      {isActive(j) && <span className="muted small"> {Math.round(progressOf(j) * 100)}%</span>}
                    </td>
                    <td className="nowrap">
                      <time dateTime={j.created_at} title={formatDateTime(j.created_at)}>
                        {formatRelative(j.created_at)}
                      </time>
                      {j.created_by && <span className="sub">{userName(j.created_by)}</span>}
                    </td>
                    <td className="num">{formatCount(j.processed_rows)}</td>
                    <td className="num">{formatCount(j.created)}</td>
                    <td className="num">{formatCount(j.updated)}</td>
                    <td className="num">{formatCount(j.skipped)}</td>
                    <td className="num">{formatCount(j.failed)}</td>
                    <td className="num">{formatCount(j.dnc_flagged)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {cursor && (
          <div className="list-footer">
            <button type="button" className="btn" onClick={() => load(cursor)} disabled={loadingMore}>
              {loadingMore ? 'Loading…' : 'Load more'}
            </button>
          </div>
        )}
      </section>
    </div>
  );
}
