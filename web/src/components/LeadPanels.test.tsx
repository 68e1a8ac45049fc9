// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type Consent, type ConsentRevocation, type Lead, type MergeResult } from '../api';
import { appState, byLabel, button, click, flush, render, setValue, submit, type Rendered } from '../test/render';

const api = {
  consents: vi.fn(),
  addConsent: vi.fn(),
  revokeConsent: vi.fn(),
  listLeads: vi.fn(),
  mergeLeads: vi.fn(),
};
vi.mock('../session', () => ({ api }));

const { ConsentPanel, channelStates, localToRfc3339 } = await import('./ConsentPanel');
const { DuplicatesPanel, describeMerge, exactDuplicates, expectedMerge, matchReasons, duplicateQueries } = await import('./MergePanel');

let r: Rendered;
afterEach(() => {
  r?.unmount();
  Object.values(api).forEach((f) => f.mockReset());
});

const consent = (over: Partial<Consent> = {}): Consent => ({
  id: 'c1',
  lead_id: 'l1',
  channel: 'call',
  disclosure_text: 'I agree to be called about homes for sale.',
  method: 'web_form',
  captured_at: '2026-11-20T10:00:00Z',
  source_ip: '203.0.113.9',
  recorded_by: 'u1',
  created_at: '2026-11-20T10:00:00Z',
  ...over,
});
const revocation = (over: Partial<ConsentRevocation> = {}): ConsentRevocation => ({
  id: 'r1',
  lead_id: 'l1',
  scope: 'sms',
  reason: 'replied STOP',
  method: 'sms_reply',
  revoked_at: '2026-11-21T10:00:00Z',
  source_ip: null,
  recorded_by: 'u1',
  created_at: '2026-11-21T10:00:00Z',
  ...over,
});

describe('channelStates', () => {
  it('follows the gate: a revocation not older than the latest consent wins', () => {
    const s = channelStates(
      [
        consent({ id: 'a', channel: 'call', captured_at: '2026-11-20T10:00:00Z' }),
        consent({ id: 'b', channel: 'sms', captured_at: '2026-11-20T10:00:00Z' }),
        consent({ id: 'c', channel: 'email', captured_at: '2026-11-23T10:00:00Z' }),
      ],
      [revocation({ scope: 'sms' }), revocation({ id: 'r2', scope: 'all', revoked_at: '2026-11-22T00:00:00Z' })],
    );
    expect(s.call.state).toBe('revoked'); // "all" after the call consent
    expect(s.sms.state).toBe('revoked');
    expect(s.sms.revocation?.id).toBe('r2');
    expect(s.email.state).toBe('granted'); // consent given again after the revocation
    expect(channelStates([], []).call.state).toBe('none');
    expect(channelStates([], [revocation({ scope: 'call' })]).call.state).toBe('revoked');
  });

  it('turns a local date-time into RFC 3339 UTC', () => {
    expect(localToRfc3339('')).toBeUndefined();
    expect(localToRfc3339('2026-11-25T09:30')).toMatch(/^2026-11-2\dT\d\d:30:00Z$/);
  });
});

describe('ConsentPanel', () => {
  it('lists consents per channel with disclosure, when, method, source IP, and revocations', async () => {
    api.consents.mockResolvedValue({ data: [consent(), consent({ id: 'c2', channel: 'sms', method: 'keypress' })], revocations: [revocation()], next_cursor: null });
    r = render(<ConsentPanel leadId="l1" />);
    await flush();
    expect(api.consents).toHaveBeenCalledWith('l1');
    const states = [...r.host.querySelectorAll('.channel-state')].map((li) => li.querySelector('.badge')!.textContent);
    expect(states).toEqual(['Consented', 'Revoked', 'No consent on record']);
    const rows = [...r.host.querySelectorAll('.consent-record')];
    expect(rows[0].textContent).toContain('I agree to be called about homes for sale.');
    expect(rows[0].textContent).toContain('Web form');
    expect(rows[0].textContent).toContain('203.0.113.9');
    expect(rows[1].textContent).toContain('Keypress');
    const rev = r.host.querySelector('.revocation-record')!;
    expect(rev.textContent).toContain('SMS');
    expect(rev.textContent).toContain('replied STOP');
    expect(rev.textContent).toContain('Text message reply');
  });

  it('shows the empty and error states', async () => {
    api.consents.mockResolvedValue({ data: [], revocations: [], next_cursor: null });
    r = render(<ConsentPanel leadId="l1" />);
    await flush();
    expect(r.host.textContent).toContain('No consent recorded for this lead.');
    r.unmount();
    api.consents.mockRejectedValue(new ApiError({ status: 500, detail: 'database unavailable' }));
    r = render(<ConsentPanel leadId="l1" />);
    await flush();
    expect(r.host.querySelector('[role="alert"]')!.textContent).toContain('database unavailable');
  });

  it('records a consent, with the API’s field errors next to the fields', async () => {
    api.consents.mockResolvedValue({ data: [], revocations: [], next_cursor: null });
    const onChange = vi.fn();
    r = render(<ConsentPanel leadId="l1" onChange={onChange} />);
    await flush();
    click(button(r.host, 'Record consent'));
    setValue(byLabel<HTMLSelectElement>(r.host, 'Channel'), 'sms');
    setValue(byLabel<HTMLSelectElement>(r.host, 'How it was given'), 'written');
    setValue(byLabel(r.host, 'Lead’s IP address (optional)'), 'not an ip');
    api.addConsent.mockRejectedValueOnce(
      new ApiError({
        status: 422,
        detail: 'invalid consent',
        errors: [{ field: 'disclosure_text', message: 'is required' }],
      }),
    );
    await submit(r.host.querySelector<HTMLFormElement>('#consent-form')!);
    expect(api.addConsent).toHaveBeenCalledWith('l1', { channel: 'sms', method: 'written', disclosure_text: '', source_ip: 'not an ip' });
    const text = byLabel<HTMLTextAreaElement>(r.host, 'Disclosure text the lead agreed to');
    expect(text.getAttribute('aria-invalid')).toBe('true');
    expect(r.host.querySelector('#consent-text-error')!.textContent).toBe('is required');

    setValue(text, 'You may text me.');
    api.addConsent.mockResolvedValueOnce(consent({ channel: 'sms' }));
    api.consents.mockResolvedValue({ data: [consent({ channel: 'sms' })], revocations: [], next_cursor: null });
    await submit(r.host.querySelector<HTMLFormElement>('#consent-form')!);
    await flush();
    expect(api.addConsent.mock.lastCall![1]).toMatchObject({ disclosure_text: 'You may text me.' });
    expect(r.host.querySelector('#consent-form')).toBeNull();
    expect(onChange).toHaveBeenCalled();
    expect(r.host.querySelectorAll('.consent-record')).toHaveLength(1);
  });

  it('revokes one channel from its row, or a chosen scope', async () => {
    api.consents.mockResolvedValue({ data: [consent()], revocations: [], next_cursor: null });
    r = render(<ConsentPanel leadId="l1" />);
    await flush();
    click(button(r.host, 'Revoke consent for calls'));
    expect(byLabel<HTMLSelectElement>(r.host, 'Revoke for').value).toBe('call');
    setValue(byLabel(r.host, 'Reason (optional)'), 'asked on the phone');
    setValue(byLabel<HTMLSelectElement>(r.host, 'How it was asked (optional)'), 'verbal');
    api.revokeConsent.mockResolvedValue(revocation({ scope: 'call' }));
    await submit(r.host.querySelector<HTMLFormElement>('#revoke-form')!);
    expect(api.revokeConsent).toHaveBeenCalledWith('l1', { scope: 'call', reason: 'asked on the phone', method: 'verbal' });

    click(button(r.host, 'Revoke consent'));
    expect(byLabel<HTMLSelectElement>(r.host, 'Revoke for').value).toBe('all');
    api.revokeConsent.mockRejectedValueOnce(new ApiError({ status: 422, detail: 'invalid revocation', errors: [{ field: 'scope', message: 'must be one of call, sms, email, all' }] }));
    await submit(r.host.querySelector<HTMLFormElement>('#revoke-form')!);
    expect(r.host.querySelector('#revoke-scope-error')!.textContent).toBe('must be one of call, sms, email, all');
  });
});

const lead = (over: Partial<Lead> = {}): Lead => ({
  id: 'l1',
  first_name: 'Ada',
  last_name: 'Lovelace',
  email: 'ada@example.com',
  phone: '+12065550100',
  status: 'new',
  source: null,
  tags: ['vip'],
  lead_score: 40,
  assigned_to: null,
  timezone: null,
  company: null,
  title: null,
  created_at: '2026-11-20T10:00:00Z',
  updated_at: '2026-11-20T10:00:00Z',
  version: 1,
  ...over,
});

describe('duplicates logic', () => {
  it('matches the same phone or email only, never the lead itself', () => {
    const me = lead();
    const a = lead({ id: 'a', phone: null, email: 'ADA@example.com ' });
    const b = lead({ id: 'b', phone: '+12065550100', email: null });
    const c = lead({ id: 'c', phone: '+12065550101', email: 'ada@example.org' });
    expect(matchReasons(me, a)).toEqual(['email']);
    expect(matchReasons(me, b)).toEqual(['phone']);
    expect(exactDuplicates(me, [me, a, c, b, a])).toEqual([a, b]);
    expect(duplicateQueries(me)).toEqual(['ada@example.com', '+12065550100']);
    expect(duplicateQueries(lead({ email: null, phone: null }))).toEqual([]);
  });

  it('says what a merge moved', () => {
    const result: MergeResult = {
      lead: lead(),
      merged_from: 'b',
      moved: { fields: ['company', 'assigned_to'], tags: ['spring'], enrollments: 1, enrollments_cancelled: 0 },
    };
    expect(describeMerge(result)).toEqual(['Filled in: company, owner.', 'Tags added: spring.', 'Sequence enrollments moved: 1.']);
    expect(describeMerge({ ...result, moved: { fields: [], tags: [], enrollments: 0, enrollments_cancelled: 0 } })).toEqual([
      'No values moved: the lead that stayed already had them all.',
    ]);
  });

  it('predicts the survivor: empty fields filled, tags combined', () => {
    const after = expectedMerge(lead(), lead({ id: 'b', company: 'Acme', email: 'other@x', tags: ['vip', 'spring'] }));
    expect(after.company).toBe('Acme');
    expect(after.email).toBe('ada@example.com');
    expect(after.tags).toEqual(['vip', 'spring']);
  });
});

describe('DuplicatesPanel', () => {
  it('suggests same-phone/email leads, compares side by side, merges and reports', async () => {
    const me = lead();
    const dup = lead({ id: 'l2', first_name: 'Ada', last_name: 'L.', phone: null, company: 'Acme', tags: ['spring'] });
    api.listLeads.mockImplementation(async (p: URLSearchParams) => ({
      data: p.get('q') === 'ada@example.com' ? [me, dup, lead({ id: 'l3', email: 'ada@example.com.au', phone: null })] : [me],
      next_cursor: null,
    }));
    const onMerged = vi.fn();
    r = render(<DuplicatesPanel lead={me} onMerged={onMerged} />);
    await flush();
    expect(api.listLeads.mock.calls.map((c) => (c[0] as URLSearchParams).get('q'))).toEqual(['ada@example.com', '+12065550100']);
    const items = r.host.querySelectorAll('.dup-item');
    expect(items).toHaveLength(1);
    expect(items[0].textContent).toContain('same email');

    click(button(r.host, 'Compare and merge with Ada L.'));
    const dialog = r.host.querySelector('dialog')!;
    const row = (label: string) =>
      [...dialog.querySelectorAll('tbody tr')].find((tr) => tr.querySelector('th')!.textContent === label)!;
    expect([...row('Company').querySelectorAll('td')].map((td) => td.textContent)).toEqual(['—', 'Acme', 'Acme (from the other lead)']);
    expect(row('Tags').querySelectorAll('td')[2].textContent).toContain('vip, spring');

    // Keep the other one instead: the ids swap.
    click(byLabel(dialog, 'Ada L. (other lead)'));
    const result: MergeResult = {
      lead: { ...dup, phone: me.phone, tags: ['spring', 'vip'] },
      merged_from: 'l1',
      moved: { fields: ['phone'], tags: ['vip'], enrollments: 0, enrollments_cancelled: 0 },
    };
    api.mergeLeads.mockResolvedValue(result);
    await flush();
    click(button(dialog, 'Merge into Ada L.'));
    await flush();
    expect(api.mergeLeads).toHaveBeenCalledWith('l2', 'l1', 1);
    expect(onMerged).toHaveBeenCalledWith(result, 'Ada Lovelace');
  });

  it('shows the API refusal in the dialog, and agents cannot merge', async () => {
    const me = lead();
    const dup = lead({ id: 'l2', phone: null });
    api.listLeads.mockResolvedValue({ data: [dup], next_cursor: null });
    r = render(<DuplicatesPanel lead={me} onMerged={vi.fn()} />);
    await flush();
    click(button(r.host, /Compare and merge/));
    api.mergeLeads.mockRejectedValue(new ApiError({ status: 422, detail: 'invalid merge', errors: [{ field: 'other_id', message: 'cannot merge a lead into itself' }] }));
    click(button(r.host.querySelector('dialog')!, /^Merge into/));
    await flush();
    const alert = r.host.querySelector('dialog [role="alert"]')!;
    expect(alert.textContent).toContain('invalid merge');
    expect(alert.textContent).toContain('other_id cannot merge a lead into itself');
    r.unmount();

    r = render(<DuplicatesPanel lead={me} onMerged={vi.fn()} />, appState('agent'));
    await flush();
    click(button(r.host, /Compare and merge/));
    expect(button(r.host.querySelector('dialog')!, /^Merge into/).disabled).toBe(true);
    expect(r.host.querySelector('dialog')!.textContent).toContain('Only managers and admins can merge leads.');
  });

  it('searches any other lead, and says when a lead has nothing to compare', async () => {
    api.listLeads.mockResolvedValue({ data: [], next_cursor: null });
    r = render(<DuplicatesPanel lead={lead({ email: null, phone: null })} onMerged={vi.fn()} />);
    await flush();
    expect(r.host.textContent).toContain('This lead has no phone or email to compare.');
    api.listLeads.mockResolvedValue({ data: [lead({ id: 'x', first_name: 'Bo', last_name: 'Rand' })], next_cursor: null });
    setValue(byLabel(r.host, 'Search for another lead'), 'Bo');
    await submit(r.host.querySelector<HTMLFormElement>('form[role="search"]')!);
    expect((api.listLeads.mock.lastCall![0] as URLSearchParams).get('q')).toBe('Bo');
    expect(r.host.querySelector('[aria-label="Search results"]')!.textContent).toContain('Bo Rand');
  });
});
