// The session token lives in sessionStorage: it survives reloads of this tab and goes away
// with it. The API client asks here for it on every call.
import { createClient } from './api';

const TOKEN_KEY = 'leadline.token';
type Listener = () => void;
const listeners = new Set<Listener>();

export function getToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage unavailable: the session lasts as long as the page */
  }
  listeners.forEach((l) => l());
}

/** Runs `l` whenever the token changes (login, logout, expiry). */
export function onTokenChange(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** The one client of the app. A 401 on any call ends the session: back to the login page. */
export const api = createClient({
  getToken,
  onUnauthorized: () => setToken(null),
});
