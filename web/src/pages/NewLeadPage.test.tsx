// @vitest-environment happy-dom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api';
import { AppContext, type AppState } from '../components/ui';

const createLead = vi.fn();
vi.mock('../session', () => ({ api: { createLead: (...a: unknown[]) => createLead(...a) } }));

const { NewLeadPage, leadInputFromForm } = await import('./NewLeadPage');

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const app: AppState = {
  me: {
    user: { id: 'u1', organization_id: 'o1', email: 'admin@x', name: 'Admin', role: 'admin', is_active: true, created_at: '' },
    organization: { id: 'o1', name: 'Org', default_region: 'US', currency: 'USD', timezone: 'UTC', created_at: '' },
    auth: 'session',
  },
  users: [],
  userName: () => '',
  isAdmin: true,
  notify: vi.fn(),
};

let root: Root;
let host: HTMLDivElement;

beforeEach(() => {
  host = document.createElement('div');
  document.body.appendChild(host);
  root = createRoot(host);
  act(() =>
    root.render(
      <AppContext.Provider value={app}>
        <NewLeadPage />
      </AppContext.Provider>,
    ),
  );
});

afterEach(() => {
  act(() => root.unmount());
  host.remove();
  createLead.mockReset();
});

function type(label: string, value: string) {
  const labelEl = [...host.querySelectorAll('label')].find((l) => l.textContent === label)!;
  const input = host.querySelector<HTMLInputElement>(`#${labelEl.htmlFor}`)!;
  const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(input), 'value')!.set!;
  act(() => {
    setter.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  return input;
}

describe('NewLeadPage', () => {
  it('labels every input', () => {
    for (const el of host.querySelectorAll('input, select')) {
      expect(host.querySelector(`label[for="${el.id}"]`), el.id).not.toBeNull();
    }
  });

  it('previews a typed US number in national format', () => {
    type('Phone', '206.555.0100');
    expect(host.textContent).toContain('Will be saved as (206) 555-0100');
  });

  it('shows the API field errors next to their fields and sends the phone as typed', async () => {
    createLead.mockRejectedValueOnce(
      new ApiError({
        status: 422,
        type: 'https://leadline.dev/problems/validation-failed',
        detail: 'invalid lead',
        errors: [
          { field: 'phone', message: 'is not a valid phone number' },
          { field: 'metadata', message: 'must be an object' },
        ],
      }),
    );
    type('First name', 'Ada');
    const phone = type('Phone', '555-01');
    await act(async () => {
      host.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    });
    expect(createLead).toHaveBeenCalledWith({ first_name: 'Ada', phone: '555-01', status: 'new' });
    expect(phone.getAttribute('aria-invalid')).toBe('true');
    const err = host.querySelector(`#${phone.getAttribute('aria-describedby')!.split(' ')[0]}`)!;
    expect(err.textContent).toBe('is not a valid phone number');
    const summary = host.querySelector('[role="alert"]')!;
    expect(summary.textContent).toContain('Phone: is not a valid phone number');
    expect(summary.textContent).toContain('metadata: must be an object');
  });

  it('offers the existing lead on a duplicate phone', async () => {
    createLead.mockRejectedValueOnce(
      new ApiError({ status: 409, detail: 'phone already used', extra: { existing_id: 'lead-7' } }),
    );
    type('Phone', '(206) 555-0100');
    await act(async () => {
      host.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    });
    const link = host.querySelector<HTMLAnchorElement>('a[href="/leads/lead-7"]');
    expect(link?.textContent).toBe('Open the existing lead');
  });
});

describe('leadInputFromForm', () => {
  it('leaves out empty fields, splits tags and keeps the score a number', () => {
    expect(
      leadInputFromForm({
        first_name: ' Ada ',
        last_name: '',
        email: '',
        phone: '(206) 555-0100',
        company: '',
        title: '',
        source: 'web',
        status: 'new',
        lead_score: '42',
        tags: 'vip, , spring ',
        assigned_to: '',
        timezone: '',
      }),
    ).toEqual({ first_name: 'Ada', phone: '(206) 555-0100', source: 'web', status: 'new', lead_score: 42, tags: ['vip', 'spring'] });
  });
});
