// A lead's consent to be called, texted and emailed: the state per channel, the consent
// records (disclosure text, when, how, from which IP) and the revocations; record a consent,
// record a revocation for one channel or all.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import {
  ApiError,
  CONSENT_CHANNELS,
  CONSENT_METHODS,
  mapFieldErrors,
  type Consent,
  type ConsentChannel,
  type ConsentList,
  type ConsentMethod,
  type ConsentRevocation,
  type FieldError as ApiFieldError,
  type RevocationScope,
} from '../api';
import { api } from '../session';
import { formatDateTime } from '../format';
import { EmptyState, ErrorNotice, FieldError, Loading, useApp } from './ui';

export const CHANNEL_LABELS: Record<ConsentChannel, string> = { call: 'Calls', sms: 'Text messages', email: 'Email' };
const CHANNEL_SHORT: Record<string, string> = { call: 'Call', sms: 'SMS', email: 'Email', all: 'All channels' };
export const METHOD_LABELS: Record<ConsentMethod, string> = {
  web_form: 'Web form',
  recording: 'Call recording',
  keypress: 'Keypress',
  written: 'Written',
  verbal: 'Verbal',
};

export interface ChannelState {
  state: 'granted' | 'revoked' | 'none';
  consent?: Consent;
  revocation?: ConsentRevocation;
}

const time = (s: string | undefined) => (s ? Date.parse(s) : NaN);

/**
 * Where each channel stands, as the call gate decides it: revoked when the latest revocation
 * of the channel (or of all channels) is not older than its latest consent.
 */
export function channelStates(
  consents: Consent[],
  revocations: ConsentRevocation[],
): Record<ConsentChannel, ChannelState> {
  const out = {} as Record<ConsentChannel, ChannelState>;
  for (const ch of CONSENT_CHANNELS) {
    let consent: Consent | undefined;
    for (const c of consents) if (c.channel === ch && (!consent || time(c.captured_at) > time(consent.captured_at))) consent = c;
    let revocation: ConsentRevocation | undefined;
    for (const r of revocations) {
      if ((r.scope === ch || r.scope === 'all') && (!revocation || time(r.revoked_at) > time(revocation.revoked_at))) revocation = r;
    }
    if (revocation && (!consent || time(revocation.revoked_at) >= time(consent.captured_at))) {
      out[ch] = { state: 'revoked', consent, revocation };
    } else if (consent) {
      out[ch] = { state: 'granted', consent, revocation };
    } else {
      out[ch] = { state: 'none' };
    }
  }
  return out;
}

/** A datetime-local value ("2026-11-25T09:30") as RFC 3339 UTC; '' stays undefined. */
export function localToRfc3339(v: string): string | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? v : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function ConsentPanel({ leadId, onChange }: { leadId: string; onChange?: () => void }) {
  const [list, setList] = useState<ConsentList | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [form, setForm] = useState<'consent' | 'revoke' | null>(null);
  const [revokeScope, setRevokeScope] = useState<RevocationScope>('all');
  const consentButton = useRef<HTMLButtonElement>(null);
  const revokeButton = useRef<HTMLButtonElement>(null);
  const close = () => {
    const back = form === 'revoke' ? revokeButton : consentButton;
    setForm(null);
    setTimeout(() => back.current?.focus());
  };

  const load = useCallback(() => {
    setError(null);
    api.consents(leadId).then(setList).catch(setError);
  }, [leadId]);
  useEffect(load, [load]);

  const changed = () => {
    close();
    load();
    onChange?.();
  };

  const states = list ? channelStates(list.data, list.revocations) : null;

  return (
    <section aria-labelledby="consent-title">
      <div className="section-header">
        <h2 id="consent-title">Consent</h2>
        <div className="page-actions">
          <button
            ref={consentButton}
            type="button"
            className="btn btn-small"
            aria-expanded={form === 'consent'}
            aria-controls="consent-form"
            onClick={() => setForm(form === 'consent' ? null : 'consent')}
          >
            Record consent
          </button>
          <button
            ref={revokeButton}
            type="button"
            className="btn btn-small btn-danger-ghost"
            aria-expanded={form === 'revoke'}
            aria-controls="revoke-form"
            onClick={() => {
              setRevokeScope('all');
              setForm(form === 'revoke' ? null : 'revoke');
            }}
          >
            Revoke consent
          </button>
        </div>
      </div>

      {form === 'consent' && <ConsentForm leadId={leadId} onDone={changed} onCancel={close} />}
      {form === 'revoke' && <RevokeForm leadId={leadId} initialScope={revokeScope} onDone={changed} onCancel={close} />}

      {error ? <ErrorNotice error={error} onRetry={load} title="Consent could not be loaded" /> : null}
      {!list && !error && <Loading label="Loading consent…" />}
      {states && (
        <ul className="channel-states" aria-label="Consent by channel">
          {CONSENT_CHANNELS.map((ch) => {
            const s = states[ch];
            return (
              <li key={ch} className={`channel-state channel-${s.state}`}>
                <span className="channel-name">{CHANNEL_LABELS[ch]}</span>
                {s.state === 'granted' && (
                  <span className="badge badge-ok" title={formatDateTime(s.consent?.captured_at)}>
                    Consented
                  </span>
                )}
                {s.state === 'revoked' && <span className="badge badge-danger">Revoked</span>}
                {s.state === 'none' && <span className="badge badge-muted">No consent on record</span>}
                <span className="muted small">
                  {s.state === 'granted' && s.consent && `${formatDateTime(s.consent.captured_at)} · ${methodLabel(s.consent.method)}`}
                  {s.state === 'revoked' && s.revocation && formatDateTime(s.revocation.revoked_at)}
                </span>
                {s.state === 'granted' && (
                  <button
                    type="button"
                    className="btn btn-link small"
                    aria-label={`Revoke consent for ${CHANNEL_LABELS[ch].toLowerCase()}`}
                    onClick={() => {
                      setRevokeScope(ch);
                      setForm('revoke');
                    }}
                  >
                    Revoke
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}

      {list && list.data.length === 0 && list.revocations.length === 0 && (
        <EmptyState title="No consent recorded for this lead." />
      )}
      {list && list.data.length > 0 && (
        <>
          <h3 className="subhead" id="consent-records-title">
            Consent records
          </h3>
          <ul className="record-list" aria-labelledby="consent-records-title">
            {list.data.map((c) => (
              <ConsentRecord key={c.id} c={c} />
            ))}
          </ul>
        </>
      )}
      {list && list.revocations.length > 0 && (
        <>
          <h3 className="subhead" id="revocations-title">
            Revocations
          </h3>
          <ul className="record-list" aria-labelledby="revocations-title">
            {list.revocations.map((r) => (
              <RevocationRecord key={r.id} r={r} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

const REVOCATION_METHODS: { value: string; label: string }[] = [
  { value: 'verbal', label: 'Verbal, on a call' },
  { value: 'sms_reply', label: 'Text message reply' },
  { value: 'email_reply', label: 'Email reply' },
  { value: 'written', label: 'Written' },
  { value: 'web_form', label: 'Web form' },
];

function methodLabel(m: string | null | undefined): string {
  if (!m) return '—';
  return (
    METHOD_LABELS[m as ConsentMethod] ??
    REVOCATION_METHODS.find((x) => x.value === m)?.label ??
    m.replace(/_/g, ' ')
  );
}

function ConsentRecord({ c }: { c: Consent }) {
  const { userName } = useApp();
  return (
    <li className="record consent-record">
      <div className="record-head">
        <strong>{CHANNEL_SHORT[c.channel] ?? c.channel}</strong>
        <span className="badge badge-ok">Consent</span>
        <time dateTime={c.captured_at}>{formatDateTime(c.captured_at)}</time>
      </div>
      <blockquote className="disclosure">“{c.disclosure_text}”</blockquote>
      <dl className="record-meta">
        <div>
          <dt>Method</dt>
          <dd>{methodLabel(c.method)}</dd>
        </div>
        <div>
          <dt>Source IP</dt>
          <dd>{c.source_ip || '—'}</dd>
        </div>
        {c.recorded_by && (
          <div>
            <dt>Recorded by</dt>
            <dd>{userName(c.recorded_by)}</dd>
          </div>
        )}
        {c.evidence_url && (
          <div>
            <dt>Evidence</dt>
            <dd>
              <a href={c.evidence_url} target="_blank" rel="noreferrer noopener">
                Open
              </a>
            </dd>
          </div>
        )}
      </dl>
    </li>
  );
}

function RevocationRecord({ r }: { r: ConsentRevocation }) {
  const { userName } = useApp();
  return (
    <li className="record record-revoked revocation-record">
      <div className="record-head">
        <strong>{CHANNEL_SHORT[r.scope] ?? r.scope}</strong>
        <span className="badge badge-danger">Revoked</span>
        <time dateTime={r.revoked_at}>{formatDateTime(r.revoked_at)}</time>
      </div>
      {r.reason && <p className="disclosure">{r.reason}</p>}
      <dl className="record-meta">
        <div>
          <dt>Method</dt>
          <dd>{r.method ? methodLabel(r.method) : '—'}</dd>
        </div>
        <div>
          <dt>Source IP</dt>
          <dd>{r.source_ip || '—'}</dd>
        </div>
        {r.recorded_by && (
          <div>
            <dt>Recorded by</dt>
            <dd>{userName(r.recorded_by)}</dd>
          </div>
        )}
      </dl>
    </li>
  );
}

function useFormErrors(fields: readonly string[]) {
  const [byField, setByField] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [other, setOther] = useState<ApiFieldError[]>([]);
  const clear = () => {
    setByField({});
    setProblem(null);
    setOther([]);
  };
  const fail = (e: unknown) => {
    const err = e instanceof ApiError ? e : new ApiError({ status: 0, detail: String(e) });
    const m = mapFieldErrors(err, fields);
    setByField(m.byField);
    setOther(m.other);
    setProblem(err);
  };
  const props = (id: string, field: string) => ({
    id,
    'aria-invalid': byField[field] ? true : undefined,
    'aria-describedby': byField[field] ? `${id}-error` : undefined,
  });
  return { byField, problem, other, clear, fail, props };
}

const CONSENT_FIELDS = ['channel', 'disclosure_text', 'method', 'captured_at', 'source_ip', 'evidence_url'] as const;

export function ConsentForm({ leadId, onDone, onCancel }: { leadId: string; onDone: () => void; onCancel: () => void }) {
  const { notify } = useApp();
  const [channel, setChannel] = useState<ConsentChannel>('call');
  const [method, setMethod] = useState<ConsentMethod>('web_form');
  const [text, setText] = useState('');
  const [capturedAt, setCapturedAt] = useState('');
  const [ip, setIp] = useState('');
  const [evidence, setEvidence] = useState('');
  const [busy, setBusy] = useState(false);
  const f = useFormErrors(CONSENT_FIELDS);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    f.clear();
    try {
      const at = localToRfc3339(capturedAt);
      await api.addConsent(leadId, {
        channel,
        method,
        disclosure_text: text.trim(),
        ...(at ? { captured_at: at } : {}),
        ...(ip.trim() ? { source_ip: ip.trim() } : {}),
        ...(evidence.trim() ? { evidence_url: evidence.trim() } : {}),
      });
      notify(`Consent for ${CHANNEL_LABELS[channel].toLowerCase()} recorded.`, { tone: 'success' });
      onDone();
    } catch (err) {
      f.fail(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      id="consent-form"
      className="subform"
      onSubmit={submit}
      noValidate
      aria-label="Record consent"
      onKeyDown={(e) => e.key === 'Escape' && onCancel()}
    >
      <div className="form-grid">
        <div className="field">
          <label htmlFor="consent-channel">Channel</label>
          <select {...f.props('consent-channel', 'channel')} autoFocus value={channel} onChange={(e) => setChannel(e.target.value as ConsentChannel)}>
            {CONSENT_CHANNELS.map((c) => (
              <option key={c} value={c}>
                {CHANNEL_LABELS[c]}
              </option>
            ))}
          </select>
          <FieldError id="consent-channel-error" message={f.byField.channel} />
        </div>
        <div className="field">
          <label htmlFor="consent-method">How it was given</label>
          <select {...f.props('consent-method', 'method')} value={method} onChange={(e) => setMethod(e.target.value as ConsentMethod)}>
            {CONSENT_METHODS.map((m) => (
              <option key={m} value={m}>
                {METHOD_LABELS[m]}
              </option>
            ))}
          </select>
          <FieldError id="consent-method-error" message={f.byField.method} />
        </div>
      </div>
      <div className="field">
        <label htmlFor="consent-text">Disclosure text the lead agreed to</label>
        <textarea {...f.props('consent-text', 'disclosure_text')} rows={3} value={text} onChange={(e) => setText(e.target.value)} />
        <FieldError id="consent-text-error" message={f.byField.disclosure_text} />
      </div>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="consent-at">When (optional)</label>
          <input {...f.props('consent-at', 'captured_at')} type="datetime-local" value={capturedAt} onChange={(e) => setCapturedAt(e.target.value)} />
          <p className="hint">Now when left empty.</p>
          <FieldError id="consent-at-error" message={f.byField.captured_at} />
        </div>
        <div className="field">
          <label htmlFor="consent-ip">Lead’s IP address (optional)</label>
          <input {...f.props('consent-ip', 'source_ip')} value={ip} onChange={(e) => setIp(e.target.value)} />
          <p className="hint">Yours is recorded when left empty.</p>
          <FieldError id="consent-ip-error" message={f.byField.source_ip} />
        </div>
      </div>
      <div className="field">
        <label htmlFor="consent-evidence">Evidence link (optional)</label>
        <input {...f.props('consent-evidence', 'evidence_url')} type="url" value={evidence} onChange={(e) => setEvidence(e.target.value)} />
        <FieldError id="consent-evidence-error" message={f.byField.evidence_url} />
      </div>
      {f.problem && (!Object.keys(f.byField).length || f.other.length > 0) && (
        <ErrorNotice error={f.problem} title="The consent was not recorded" />
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save consent'}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

const REVOKE_FIELDS = ['scope', 'reason', 'method', 'revoked_at', 'source_ip'] as const;

export function RevokeForm({
  leadId,
  initialScope,
  onDone,
  onCancel,
}: {
  leadId: string;
  initialScope: RevocationScope;
  onDone: () => void;
  onCancel: () => void;
}) {
  const { notify } = useApp();
  const [scope, setScope] = useState<RevocationScope>(initialScope);
  const [reason, setReason] = useState('');
  const [method, setMethod] = useState('');
  const [busy, setBusy] = useState(false);
  const f = useFormErrors(REVOKE_FIELDS);
  useEffect(() => setScope(initialScope), [initialScope]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    f.clear();
    try {
      await api.revokeConsent(leadId, {
        scope,
        ...(reason.trim() ? { reason: reason.trim() } : {}),
        ...(method ? { method } : {}),
      });
      notify(`Consent revoked for ${(CHANNEL_SHORT[scope] ?? scope).toLowerCase()}.`, { tone: 'success' });
      onDone();
    } catch (err) {
      f.fail(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      id="revoke-form"
      className="subform"
      onSubmit={submit}
      noValidate
      aria-label="Revoke consent"
      onKeyDown={(e) => e.key === 'Escape' && onCancel()}
    >
      <p className="hint">Calls, texts or emails on the revoked channels are refused until new consent is recorded.</p>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="revoke-scope">Revoke for</label>
          <select {...f.props('revoke-scope', 'scope')} autoFocus value={scope} onChange={(e) => setScope(e.target.value as RevocationScope)}>
            <option value="all">All channels</option>
            {CONSENT_CHANNELS.map((c) => (
              <option key={c} value={c}>
                {CHANNEL_LABELS[c]}
              </option>
            ))}
          </select>
          <FieldError id="revoke-scope-error" message={f.byField.scope} />
        </div>
        <div className="field">
          <label htmlFor="revoke-method">How it was asked (optional)</label>
          <select {...f.props('revoke-method', 'method')} value={method} onChange={(e) => setMethod(e.target.value)}>
            <option value="">Not recorded</option>
            {REVOCATION_METHODS.map((m) => (
              <option key={m.value} value={m.value}>
                {m.label}
              </option>
            ))}
          </select>
          <FieldError id="revoke-method-error" message={f.byField.method} />
        </div>
      </div>
      <div className="field">
        <label htmlFor="revoke-reason">Reason (optional)</label>
        <input {...f.props('revoke-reason', 'reason')} value={reason} onChange={(e) => setReason(e.target.value)} />
        <FieldError id="revoke-reason-error" message={f.byField.reason} />
      </div>
      {f.problem && (!Object.keys(f.byField).length || f.other.length > 0) && (
        <ErrorNotice error={f.problem} title="The revocation was not recorded" />
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-danger" disabled={busy}>
          {busy ? 'Saving…' : 'Record revocation'}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
