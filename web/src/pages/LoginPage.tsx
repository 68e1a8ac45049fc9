import { useState, type FormEvent } from 'react';
import { ApiError } from '../api';
import { api, setToken } from '../session';
import { navigate } from '../router';
import { FieldError, usePageTitle } from '../components/ui';

/** Where to go after signing in: the page that sent us here, if it is one of ours. */
function nextPath(): string {
  const next = new URLSearchParams(window.location.search).get('next');
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/leads';
}

export function LoginPage() {
  usePageTitle('Sign in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api.login(email.trim(), password);
      const to = nextPath();
      setToken(r.token);
      navigate(to, { replace: true });
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError({ status: 0, detail: String(err) }));
      setBusy(false);
    }
  };

  const fe = error?.fieldErrors() ?? {};
  const message =
    error && (error.status === 401 ? 'Wrong email or password.' : error.errors.length ? null : error.summary);

  return (
    <main className="login-page">
      <div className="login-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">
            L
          </span>
          Leadline
        </div>
        <h1 tabIndex={-1}>Sign in</h1>
        <p className="muted">Lead management with Do-Not-Call compliance built in.</p>
        <form onSubmit={submit} noValidate aria-describedby={message ? 'login-error' : undefined}>
          {message && (
            <div id="login-error" className="notice notice-error" role="alert">
              {message}
            </div>
          )}
          <div className="field">
            <label htmlFor="login-email">Email</label>
            <input
              id="login-email"
              type="email"
              autoComplete="username"
              required
              autoFocus
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              aria-invalid={fe.email ? true : undefined}
              aria-describedby={fe.email ? 'login-email-error' : undefined}
            />
            <FieldError id="login-email-error" message={fe.email} />
          </div>
          <div className="field">
            <label htmlFor="login-password">Password</label>
            <input
              id="login-password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={fe.password ? true : undefined}
              aria-describedby={fe.password ? 'login-password-error' : undefined}
            />
            <FieldError id="login-password-error" message={fe.password} />
          </div>
          <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        <p className="hint">
          Demo: <code>admin@leadline.demo</code> / <code>leadline-demo</code>
        </p>
      </div>
    </main>
  );
}
