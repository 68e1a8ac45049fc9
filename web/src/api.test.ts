import { describe, expect, it, vi } from 'vitest';
import { ApiError, createClient, leadName, mapFieldErrors, normalizePreview, problemFromResponse } from './api';

const problem = (body: object, status = 422) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/problem+json' } });

describe('problemFromResponse', () => {
  it('reads a problem+json body', () => {
    const e = problemFromResponse(
      422,
      'application/problem+json',
      JSON.stringify({
        type: 'https://leadline.dev/problems/validation-failed',
        title: 'Unprocessable Entity',
        status: 422,
        detail: 'invalid lead',
        errors: [
          { field: 'phone', message: 'is not a valid phone number' },
          { field: 'phone', message: 'is too short' },
          { field: 'lead_score', message: 'must be an integer from 0 to 100' },
        ],
      }),
    );
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(422);
    expect(e.kind).toBe('validation-failed');
    expect(e.summary).toBe('invalid lead');
    expect(e.fieldErrors()).toEqual({
      phone: 'is not a valid phone number; is too short',
      lead_score: 'must be an integer from 0 to 100',
    });
  });

  it('keeps extension members', () => {
    const e = problemFromResponse(
      409,
      'application/problem+json',
      JSON.stringify({
        type: 'https://leadline.dev/problems/dnc',
        title: 'Conflict',
        status: 409,
        detail: 'the number is on the do-not-call list',
        reasons: 'dnc,calling-hours',
        existing_id: 'abc',
      }),
    );
    expect(e.kind).toBe('dnc');
    expect(e.extra).toEqual({ reasons: 'dnc,calling-hours', existing_id: 'abc' });
    expect(e.errors).toEqual([]);
  });

  it('copes with bodies that are not problems', () => {
    const html = problemFromResponse(502, 'text/html', '<html>bad gateway</html>');
    expect(html.status).toBe(502);
    expect(html.summary).toBe('HTTP 502');
    const broken = problemFromResponse(500, 'application/json', '{not json');
    expect(broken.status).toBe(500);
    const text = problemFromResponse(503, 'text/plain', 'try later');
    expect(text.summary).toBe('try later');
  });
});

describe('mapFieldErrors', () => {
  it('splits form fields from the rest', () => {
    const e = new ApiError({
      status: 422,
      errors: [
        { field: 'tags[1]', message: 'is too long' },
        { field: 'email', message: 'is not an email address' },
        { field: 'metadata', message: 'must be an object' },
        { field: '', message: 'a phone or an email is required' },
      ],
    });
    const m = mapFieldErrors(e, ['email', 'phone', 'tags']);
    expect(m.byField).toEqual({ tags: 'is too long', email: 'is not an email address' });
    expect(m.other).toEqual([
      { field: 'metadata', message: 'must be an object' },
      { field: '', message: 'a phone or an email is required' },
    ]);
  });
});

describe('client', () => {
  it('sends the token, JSON and If-Match', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ id: '1', version: 4 }), { status: 200 }));
    const c = createClient({ getToken: () => 'lls_t', fetch: fetch as unknown as typeof globalThis.fetch });
    await c.updateLead('1', { status: 'contacted' }, 3);
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/leads/1');
    expect(init.method).toBe('PATCH');
    const h = init.headers as Record<string, string>;
    expect(h.Authorization).toBe('Bearer lls_t');
    expect(h['If-Match']).toBe('"3"');
    expect(h['Content-Type']).toBe('application/json');
    expect(JSON.parse(init.body as string)).toEqual({ status: 'contacted' });
  });

  it('uploads a file as the raw body with the options in the query, and merges with If-Match', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ id: 'j1' }), { status: 202 }));
    const c = createClient({ getToken: () => 't', fetch: fetch as unknown as typeof globalThis.fetch });
    const file = new Blob(['a,b\n1,2\n']);
    await c.startImport(file, 'text/csv', new URLSearchParams({ filename: 'x.csv', dedupe: 'skip' }));
    let [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/imports?filename=x.csv&dedupe=skip');
    expect(init.method).toBe('POST');
    expect(init.body).toBe(file);
    expect((init.headers as Record<string, string>)['Content-Type']).toBe('text/csv');

    await c.mergeLeads('a', 'b', 7);
    [url, init] = fetch.mock.calls[1] as unknown as [string, RequestInit];
    expect(url).toBe('/api/leads/a/merge');
    expect((init.headers as Record<string, string>)['If-Match']).toBe('"7"');
    expect(JSON.parse(init.body as string)).toEqual({ other_id: 'b' });
  });

  it('pages the imports list', async () => {
    const bodies = [{ data: [{ id: 'a' }], next_cursor: 'n' }, { data: [{ id: 'b' }], next_cursor: null }];
    const urls: string[] = [];
    const c = createClient({
      getToken: () => 't',
      fetch: (async (url: string) => {
        urls.push(url);
        return new Response(JSON.stringify(bodies.shift()), { status: 200 });
      }) as unknown as typeof fetch,
    });
    expect(await c.imports()).toEqual({ data: [{ id: 'a' }], next_cursor: 'n' });
    expect(await c.imports('n')).toEqual({ data: [{ id: 'b' }], next_cursor: null });
    expect(urls).toEqual(['/api/imports?limit=20', '/api/imports?limit=20&cursor=n']);
  });

  it('throws ApiError and ends the session on 401', async () => {
    const onUnauthorized = vi.fn();
    const c = createClient({
      getToken: () => 'expired',
      onUnauthorized,
      fetch: (async () => problem({ type: 'https://leadline.dev/problems/unauthorized', status: 401, title: 'Unauthorized' }, 401)) as typeof fetch,
    });
    await expect(c.getLead('x')).rejects.toMatchObject({ status: 401, kind: 'unauthorized' });
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it('does not treat a failed login as an expired session', async () => {
    const onUnauthorized = vi.fn();
    const c = createClient({
      getToken: () => null,
      onUnauthorized,
      fetch: (async () => problem({ status: 401, title: 'Unauthorized', detail: 'wrong email or password' }, 401)) as typeof fetch,
    });
    await expect(c.login('a@b.c', 'x')).rejects.toBeInstanceOf(ApiError);
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('reports network failures as ApiError with status 0', async () => {
    const c = createClient({
      getToken: () => null,
      fetch: (async () => {
        throw new TypeError('Failed to fetch');
      }) as typeof fetch,
    });
    await expect(c.me()).rejects.toMatchObject({ status: 0, kind: 'network' });
  });

  it('builds list queries and handles 204', async () => {
    const calls: string[] = [];
    const c = createClient({
      getToken: () => 't',
      fetch: (async (url: string) => {
        calls.push(url);
        return new Response(null, { status: 204 });
      }) as unknown as typeof fetch,
    });
    await expect(c.dncRemove('a/b')).resolves.toBeUndefined();
    await c.dncList({ phone: '+12065550100', includeAll: true });
    expect(calls).toEqual(['/api/dnc/a%2Fb', '/api/dnc?phone=%2B12065550100&include=all']);
  });
});

describe('leadName', () => {
  it('prefers the name, then email, then phone', () => {
    expect(leadName({ first_name: 'Ada', last_name: 'Lovelace', email: 'a@x', phone: null })).toBe('Ada Lovelace');
    expect(leadName({ first_name: null, last_name: null, email: 'a@x', phone: '+1' })).toBe('a@x');
    expect(leadName({ first_name: null, last_name: null, email: null, phone: '+1' })).toBe('+1');
  });
});

describe('normalizePreview', () => {
  it('evens out what the server may send', () => {
    const p = normalizePreview({
      format: 'csv',
      delimiter: 'tab',
      columns: [
        { header: 'Phone', field: 'phone', guessed: true },
        { header: 'Notes', field: null, guessed: false },
        { header: 'Budget', field: 'metadata.Budget', guessed: true },
      ],
      fields: ['phone', 'email'],
      rows: [
        {
          line: 2,
          values: { phone: '+12065550100', metadata: { Budget: '100' } },
          errors: [{ field: null, message: 'row is empty' }],
          outcome: 'duplicate_in_file',
          duplicate_of_line: 1,
          dnc: true,
        },
      ],
      total_rows_previewed: 1,
    });
    expect(p.delimiter).toBe('\t');
    expect(p.columns.map((c) => c.field)).toEqual(['phone', '', 'metadata.Budget']);
    expect(p.rows[0].values).toEqual({ phone: '+12065550100', 'metadata.Budget': '100' });
    expect(p.rows[0].errors).toEqual([{ field: '', message: 'row is empty' }]);
    expect(p.rows[0].existing_id).toBeNull();
    expect(p.rows[0].duplicate_of_line).toBe(1);
    expect(p.rows[0].dnc).toBe(true);
    expect(normalizePreview({ delimiter: ';', columns: [], rows: [] }).delimiter).toBe(';');
  });
});
