// Create a lead. Field errors are the API's own (problem+json errors[]), shown next to each
// field and summarised at the top with links to the fields.
import { useRef, useState, type FormEvent } from 'react';
import { ApiError, LEAD_STATUSES, mapFieldErrors, statusLabel, type FieldError as ProblemFieldError, type LeadInput, type LeadStatus } from '../api';
import { api } from '../session';
import { Link, navigate } from '../router';
import { previewPhone } from '../phone';
import { FieldError, useApp, usePageTitle } from '../components/ui';

const FORM_FIELDS = [
  'first_name',
  'last_name',
  'email',
  'phone',
  'company',
  'title',
  'source',
  'status',
  'lead_score',
  'tags',
  'assigned_to',
  'timezone',
] as const;
type FormField = (typeof FORM_FIELDS)[number];

const LABELS: Record<FormField, string> = {
  first_name: 'First name',
  last_name: 'Last name',
  email: 'Email',
  phone: 'Phone',
  company: 'Company',
  title: 'Job title',
  source: 'Source',
  status: 'Status',
  lead_score: 'Lead score',
  tags: 'Tags',
  assigned_to: 'Owner',
  timezone: 'Time zone',
};

type Values = Record<FormField, string>;
const EMPTY: Values = {
  first_name: '',
  last_name: '',
  email: '',
  phone: '',
  company: '',
  title: '',
  source: '',
  status: 'new',
  lead_score: '',
  tags: '',
  assigned_to: '',
  timezone: '',
};

/** The POST body: empty fields are left out; the phone goes as typed. */
export function leadInputFromForm(v: Values): LeadInput {
  const out: LeadInput = {};
  const text = (k: 'first_name' | 'last_name' | 'email' | 'phone' | 'company' | 'title' | 'source' | 'timezone') => {
    const t = v[k].trim();
    if (t) out[k] = t;
  };
  text('first_name');
  text('last_name');
  text('email');
  text('phone');
  text('company');
  text('title');
  text('source');
  text('timezone');
  if (v.status) out.status = v.status as LeadStatus;
  if (v.lead_score.trim() !== '') {
    const n = Number(v.lead_score.trim());
    // Sent as a number when it is one; anything else still goes, and the API names the field.
    out.lead_score = Number.isInteger(n) ? n : (v.lead_score.trim() as unknown as number);
  }
  const tags = v.tags
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (tags.length) out.tags = tags;
  if (v.assigned_to) out.assigned_to = v.assigned_to;
  return out;
}

export function NewLeadPage() {
  usePageTitle('New lead');
  const { users, me, notify } = useApp();
  const [values, setValues] = useState<Values>(EMPTY);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<FormField, string>>>({});
  const [other, setOther] = useState<ProblemFieldError[]>([]);
  const [problem, setProblem] = useState<ApiError | null>(null);
  const summaryRef = useRef<HTMLDivElement>(null);

  const set = (k: FormField) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [k]: e.target.value }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    setErrors({});
    setOther([]);
    try {
      const lead = await api.createLead(leadInputFromForm(values));
      notify('Lead created.', { tone: 'success' });
      navigate(`/leads/${lead.id}`);
    } catch (err) {
      const ae = err instanceof ApiError ? err : new ApiError({ status: 0, detail: String(err) });
      const mapped = mapFieldErrors(ae, FORM_FIELDS);
      setErrors(mapped.byField);
      setOther(mapped.other);
      setProblem(ae);
      setBusy(false);
      setTimeout(() => summaryRef.current?.focus());
    }
  };

  const field = (k: FormField, input?: (p: InputProps) => React.ReactNode, hint?: React.ReactNode) => {
    const id = `lead-${k}`;
    const err = errors[k];
    const describedBy = [err ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
    const props: InputProps = {
      id,
      name: k,
      value: values[k],
      onChange: set(k),
      'aria-invalid': err ? true : undefined,
      'aria-describedby': describedBy,
    };
    return (
      <div className={`field ${err ? 'has-error' : ''}`}>
        <label htmlFor={id}>{LABELS[k]}</label>
        {input ? input(props) : <input {...props} />}
        {hint && (
          <p id={`${id}-hint`} className="hint">
            {hint}
          </p>
        )}
        <FieldError id={`${id}-error`} message={err} />
      </div>
    );
  };

  const phonePreview = previewPhone(values.phone);
  const existingId = problem?.status === 409 && typeof problem.extra.existing_id === 'string' ? problem.extra.existing_id : null;
  const summaryItems = [
    ...FORM_FIELDS.filter((k) => errors[k]).map((k) => ({ key: k, text: `${LABELS[k]}: ${errors[k]}`, href: `#lead-${k}` })),
    ...other.map((o, i) => ({ key: `o${i}`, text: o.field ? `${o.field}: ${o.message}` : o.message, href: '' })),
  ];

  return (
    <section className="page page-narrow" aria-labelledby="new-lead-title">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <ol>
          <li>
            <Link to="/leads">Leads</Link>
          </li>
          <li aria-current="page">New lead</li>
        </ol>
      </nav>
      <h1 id="new-lead-title" tabIndex={-1}>
        New lead
      </h1>
      <p className="muted">A lead needs a phone number or an email address.</p>

      {problem && (
        <div ref={summaryRef} tabIndex={-1} className="notice notice-error error-summary" role="alert" aria-labelledby="error-summary-title">
          <div>
            <strong id="error-summary-title">
              {problem.status === 409
                ? 'This lead already exists'
                : summaryItems.length
                  ? 'Please correct the following'
                  : 'The lead could not be created'}
            </strong>
            <p>{problem.summary}</p>
            {summaryItems.length > 0 && (
              <ul>
                {summaryItems.map((s) => (
                  <li key={s.key}>{s.href ? <a href={s.href} onClick={(e) => { e.preventDefault(); document.querySelector<HTMLElement>(s.href)?.focus(); }}>{s.text}</a> : s.text}</li>
                ))}
              </ul>
            )}
            {existingId && (
              <p>
                <Link to={`/leads/${existingId}`}>Open the existing lead</Link>
              </p>
            )}
          </div>
        </div>
      )}

      <form className="card form" onSubmit={submit} noValidate>
        <fieldset>
          <legend>Contact</legend>
          <div className="form-grid">
            {field('first_name', (p) => <input {...p} autoComplete="off" autoFocus />)}
            {field('last_name', (p) => <input {...p} autoComplete="off" />)}
            {field('email', (p) => <input {...p} type="email" autoComplete="off" />)}
            {field(
              'phone',
              (p) => <input {...p} type="tel" autoComplete="off" placeholder="(206) 555-0100" />,
              phonePreview ? <>Will be saved as {phonePreview}</> : <>US numbers may be typed in national format.</>,
            )}
            {field('company')}
            {field('title')}
          </div>
        </fieldset>
        <fieldset>
          <legend>Pipeline</legend>
          <div className="form-grid">
            {field('status', (p) => (
              <select {...p}>
                {LEAD_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {statusLabel(s)}
                  </option>
                ))}
              </select>
            ))}
            {field('lead_score', (p) => <input {...p} inputMode="numeric" placeholder="0–100" />)}
            {field('source', (p) => <input {...p} placeholder="e.g. web, referral" />)}
            {field('tags', (p) => <input {...p} placeholder="comma, separated" />, 'Separate tags with commas.')}
            {field('assigned_to', (p) => (
              <select {...p}>
                <option value="">Unassigned</option>
                {users.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name || u.email}
                    {u.id === me.user.id ? ' (you)' : ''}
                  </option>
                ))}
              </select>
            ))}
            {field('timezone', (p) => <input {...p} placeholder="from the phone number" />)}
          </div>
        </fieldset>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create lead'}
          </button>
          <Link to="/leads" className="btn btn-ghost">
            Cancel
          </Link>
        </div>
      </form>
    </section>
  );
}

interface InputProps {
  id: string;
  name: string;
  value: string;
  onChange: (e: { target: { value: string } }) => void;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}
