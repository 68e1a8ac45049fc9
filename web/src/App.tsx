// The shell: session gate, navigation, routes.
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Me, User } from './api';
import { api, getToken, onTokenChange, setToken } from './session';
import { Link, matchPath, navigate, useLocation } from './router';
import { AppContext, ErrorNotice, Loading, useApp, useToasts, type AppState } from './components/ui';
import { LoginPage } from './pages/LoginPage';
import { LeadsPage } from './pages/LeadsPage';
import { LeadDetailPage } from './pages/LeadDetailPage';
import { NewLeadPage } from './pages/NewLeadPage';
import { DncPage } from './pages/DncPage';
import { ImportsPage } from './pages/ImportsPage';
import { ImportJobPage } from './pages/ImportJobPage';
import { ConnectorsPage } from './pages/ConnectorsPage';
import { ConnectorPage } from './pages/ConnectorPage';

function useToken(): string | null {
  const [token, setT] = useState(getToken);
  useEffect(() => onTokenChange(() => setT(getToken())), []);
  return token;
}

export function App() {
  const token = useToken();
  const loc = useLocation();

  // Signed out (or the session expired: any 401 clears the token): the login page, which
  // comes back here afterwards.
  useEffect(() => {
    if (!token && loc.path !== '/login') {
      const back = loc.path + (loc.search ? `?${loc.search}` : '');
      navigate(`/login${back && back !== '/' ? `?next=${encodeURIComponent(back)}` : ''}`, { replace: true });
    } else if (token && loc.path === '/login') {
      navigate('/leads', { replace: true });
    }
  }, [token, loc.path, loc.search]);

  if (!token || loc.path === '/login') {
    return token ? null : <LoginPage />;
  }
  return <SignedIn path={loc.path} />;
}

function SignedIn({ path }: { path: string }) {
  const [me, setMe] = useState<Me | null>(null);
  const [users, setUsers] = useState<User[]>([]);
  const [error, setError] = useState<unknown>(null);
  const { notify, view: toasts } = useToasts();

  const load = useCallback(() => {
    setError(null);
    Promise.all([api.me(), api.users().catch(() => ({ data: [] as User[], next_cursor: null }))])
      .then(([m, u]) => {
        setMe(m);
        setUsers(u.data);
      })
      .catch(setError);
  }, []);
  useEffect(load, [load]);

  const state = useMemo<AppState | null>(() => {
    if (!me) return null;
    const byId = new Map(users.map((u) => [u.id, u]));
    return {
      me,
      users,
      isAdmin: me.user.role === 'admin',
      userName: (id) => {
        if (!id) return '';
        if (id === me.user.id) return `${me.user.name || me.user.email} (you)`;
        const u = byId.get(id);
        return u ? u.name || u.email : 'Unknown user';
      },
      notify,
    };
  }, [me, users, notify]);

  if (error) {
    return (
      <main className="center-page">
        <ErrorNotice error={error} onRetry={load} title="Leadline could not load your account" />
      </main>
    );
  }
  if (!state) return <Loading label="Loading Leadline…" />;

  return (
    <AppContext.Provider value={state}>
      <Shell path={path}>{route(path)}</Shell>
      {toasts}
    </AppContext.Provider>
  );
}

function route(path: string) {
  if (path === '/' || path === '') return <Redirect to="/leads" />;
  if (path === '/leads' || path === '/leads/') return <LeadsPage />;
  if (path === '/leads/new') return <NewLeadPage />;
  const lead = matchPath('/leads/:id', path);
  if (lead) return <LeadDetailPage key={lead.id} id={lead.id} />;
  if (path === '/dnc') return <DncPage />;
  if (path === '/imports' || path === '/imports/') return <ImportsPage />;
  const job = matchPath('/imports/:id', path);
  if (job) return <ImportJobPage key={job.id} id={job.id} />;
  if (path === '/connectors' || path === '/connectors/') return <ConnectorsPage />;
  const connector = matchPath('/connectors/:id', path);
  if (connector) return <ConnectorPage key={connector.id} id={connector.id} />;
  return (
    <section className="page">
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        There is nothing at <code>{path}</code>. <Link to="/leads">Go to leads</Link>.
      </p>
    </section>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

const NAV = [
  { to: '/leads', label: 'Leads', match: (p: string) => p === '/leads' || (p.startsWith('/leads/') && p !== '/leads/new') },
  { to: '/leads/new', label: 'New lead', match: (p: string) => p === '/leads/new' },
  { to: '/imports', label: 'Imports', match: (p: string) => p.startsWith('/imports'), managers: true },
  { to: '/connectors', label: 'Connectors', match: (p: string) => p.startsWith('/connectors'), managers: true },
  { to: '/dnc', label: 'Do Not Call', match: (p: string) => p.startsWith('/dnc') },
];

function Shell({ path, children }: { path: string; children: ReactNode }) {
  const { me } = useApp();
  const mainRef = useRef<HTMLElement>(null);
  const [signingOut, setSigningOut] = useState(false);

  // After a page change, focus its heading so screen readers announce it, unless the page
  // already put focus somewhere (a form's first field). Pages that load first get a second try.
  useEffect(() => {
    const focusHeading = () => {
      const active = document.activeElement;
      const idle = !active || active === document.body || !!active.closest('.topbar');
      const h = mainRef.current?.querySelector<HTMLElement>('h1');
      if (h && idle) h.focus({ preventScroll: true });
    };
    focusHeading();
    const t = window.setTimeout(focusHeading, 400);
    return () => window.clearTimeout(t);
  }, [path]);

  const logout = async () => {
    setSigningOut(true);
    try {
      await api.logout();
    } catch {
      /* the session ends here either way */
    }
    setToken(null);
  };

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/leads" className="brand" aria-label="Leadline home">
          <span className="brand-mark" aria-hidden="true">
            L
          </span>
          Leadline
        </Link>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((n) => !('managers' in n) || me.user.role !== 'agent').map((n) => (
              <li key={n.to}>
                <Link to={n.to} aria-current={n.match(path) ? 'page' : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="account">
          <span className="account-name">
            {me.user.name || me.user.email}
            <span className="account-meta">
              {me.organization.name} · {me.user.role}
            </span>
          </span>
          <button type="button" className="btn btn-ghost" onClick={logout} disabled={signingOut}>
            Log out
          </button>
        </div>
      </header>
      <main id="main" ref={mainRef} className="main">
        {children}
      </main>
    </div>
  );
}
