// Helpers of the component tests: render inside the app context, type, click, wait.
import { act, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { vi } from 'vitest';
import { AppContext, type AppState } from '../components/ui';
import type { Role } from '../api';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

export function appState(role: Role = 'admin'): AppState {
  return {
    me: {
      user: { id: 'u1', organization_id: 'o1', email: 'admin@x', name: 'Admin', role, is_active: true, created_at: '' },
      organization: { id: 'o1', name: 'Org', default_region: 'US', currency: 'USD', timezone: 'UTC', created_at: '' },
      auth: 'session',
    },
    users: [
      { id: 'u1', organization_id: 'o1', email: 'admin@x', name: 'Admin', role, is_active: true, created_at: '' },
      { id: 'u2', organization_id: 'o1', email: 'sam@x', name: 'Sam Agent', role: 'agent', is_active: true, created_at: '' },
    ],
    userName: (id) => (id === 'u2' ? 'Sam Agent' : id ? 'Admin' : ''),
    isAdmin: role === 'admin',
    notify: vi.fn(),
  };
}

export interface Rendered {
  host: HTMLDivElement;
  root: Root;
  unmount: () => void;
}

export function render(node: ReactNode, app: AppState = appState()): Rendered {
  const host = document.createElement('div');
  document.body.appendChild(host);
  const root = createRoot(host);
  act(() => root.render(<AppContext.Provider value={app}>{node}</AppContext.Provider>));
  return {
    host,
    root,
    unmount: () => {
      act(() => root.unmount());
      host.remove();
    },
  };
}

/** Lets pending promises and effects settle. */
export async function flush(ms = 0) {
  await act(async () => {
    await new Promise((r) => setTimeout(r, ms));
  });
}

/** The control a <label> names (by exact text). */
export function byLabel<T extends HTMLElement = HTMLInputElement>(host: HTMLElement, text: string): T {
  const label = [...host.querySelectorAll('label')].find((l) => l.textContent?.trim() === text);
  if (!label) throw new Error(`no label "${text}"`);
  const el = label.htmlFor ? host.querySelector<T>(`#${CSS.escape(label.htmlFor)}`) : label.querySelector<T>('input, select, textarea');
  if (!el) throw new Error(`label "${text}" names nothing`);
  return el;
}

export function button(host: HTMLElement, name: string | RegExp): HTMLButtonElement {
  const b = [...host.querySelectorAll('button')].find((x) => {
    const n = (x.getAttribute('aria-label') || x.textContent || '').trim();
    return typeof name === 'string' ? n === name : name.test(n);
  });
  if (!b) throw new Error(`no button ${name}`);
  return b;
}

/** Sets a value the way a user does, so React sees the change. */
export function setValue(el: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, value: string) {
  const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), 'value')!.set!;
  act(() => {
    setter.call(el, value);
    el.dispatchEvent(new Event(el.tagName === 'SELECT' ? 'change' : 'input', { bubbles: true }));
  });
}

export function click(el: HTMLElement) {
  act(() => {
    el.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
  });
}

export async function submit(form: HTMLFormElement) {
  await act(async () => {
    form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
  });
}
