import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type ImportJob, type ImportPreviewColumn } from './api';
import {
  DEFAULT_OPTIONS,
  POLL_INTERVAL_MS,
  POLL_MAX_FAILURES,
  PREVIEW_BYTES,
  contentTypeFor,
  createJobPoller,
  csvSamples,
  duplicateTargets,
  editColumn,
  effectiveColumns,
  fieldLabel,
  fileProblem,
  formatRate,
  guessDelimiter,
  importParams,
  isActive,
  jobStateLabel,
  metadataTarget,
  outcomeLabel,
  outcomeTone,
  parseCsvRecords,
  parseCsvSample,
  previewBody,
  progressOf,
  wizardFieldErrors,
} from './imports';

const file = { name: 'leads.csv' };
const q = (p: URLSearchParams) => Object.fromEntries(p.entries());

describe('importParams (options -> query string)', () => {
  it('sends the defaults and the detected format', () => {
    expect(q(importParams(file, DEFAULT_OPTIONS))).toEqual({
      filename: 'leads.csv',
      format: 'csv',
      dedupe: 'skip',
      dnc: 'flag',
      unknown_columns: 'metadata',
    });
  });

  it('sends update_mode only with dedupe=update, and every option the user set', () => {
    const p = importParams(
      { name: 'Spring list.xlsx' },
      {
        ...DEFAULT_OPTIONS,
        dedupe: 'update',
        updateMode: 'overwrite',
        dnc: 'skip',
        unknownColumns: 'ignore',
        delimiter: ';',
        source: ' expo 2026 ',
        tags: 'spring, vip, ,spring',
        ownerId: 'u-7',
      },
      { 'Phone Number': 'phone', Notes: '' },
    );
    expect(q(p)).toEqual({
      filename: 'Spring list.xlsx',
      format: 'xlsx',
      dedupe: 'update',
      update_mode: 'overwrite',
      dnc: 'skip',
      unknown_columns: 'ignore',
      source: 'expo 2026',
      tags: 'spring,vip',
      owner_id: 'u-7',
      mapping: '{"Phone Number":"phone","Notes":""}',
    });
    // No delimiter for a spreadsheet; the mapping is URL-encoded JSON.
    expect(p.toString()).toContain('mapping=%7B%22Phone+Number%22%3A%22phone%22%2C%22Notes%22%3A%22%22%7D');
    expect(q(importParams(file, { ...DEFAULT_OPTIONS, dedupe: 'create', updateMode: 'overwrite' }))).not.toHaveProperty('update_mode');
  });

  it('sends a chosen CSV delimiter, and no format for an unknown extension', () => {
    const p = q(importParams({ name: 'export' }, { ...DEFAULT_OPTIONS, delimiter: '\t' }));
    expect(p.delimiter).toBe('\t');
    expect(p).not.toHaveProperty('format');
  });
});

describe('files', () => {
  it('picks the content type from the name', () => {
    expect(contentTypeFor({ name: 'a.XLSX' })).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(contentTypeFor({ name: 'a.csv', type: 'text/csv' })).toBe('text/csv');
    expect(contentTypeFor({ name: 'a.txt' })).toBe('text/csv');
  });

  it('refuses empty files and old Excel', () => {
    expect(fileProblem({ name: 'a.csv', size: 0 })).toMatch(/empty/);
    expect(fileProblem({ name: 'a.xls', size: 10 })).toMatch(/\.xlsx/);
    expect(fileProblem({ name: 'a.csv', size: 10 })).toBeNull();
  });

  it('previews a large CSV from its first lines only, cut at a line end', async () => {
    const line = 'Ada,Lovelace,+12065550100\n';
    const big = new File([line.repeat(Math.ceil((PREVIEW_BYTES * 1.5) / line.length))], 'big.csv');
    const body = await previewBody(big);
    expect(body.size).toBeLessThanOrEqual(PREVIEW_BYTES);
    expect(body.size % line.length).toBe(0);
    const small = new File(['a,b\n1,2\n'], 'small.csv');
    expect(await previewBody(small)).toBe(small);
  });
});

describe('column mapping', () => {
  const proposal: ImportPreviewColumn[] = [
    { header: 'Phone Number', field: 'phone', guessed: true },
    { header: 'E-mail', field: 'email', guessed: true },
    { header: 'Budget', field: 'metadata.Budget', guessed: true },
  ];

  it('applies edits on top of the proposal; only explicit fields can conflict', () => {
    let edits = editColumn({}, 'Budget', '');
    edits = editColumn(edits, 'E-mail', 'phone');
    expect(edits).toEqual({ Budget: '', 'E-mail': 'phone' });
    const cols = effectiveColumns(proposal, edits);
    expect(cols.map((c) => c.field)).toEqual(['phone', 'phone', '']);
    expect(cols[1].guessed).toBe(false);
    // A chosen field beats a guess (the server drops the guess): no conflict yet.
    expect(duplicateTargets(cols)).toEqual(new Set());
    // Choosing the guessed field again makes it explicit: now two columns claim it.
    edits = editColumn(edits, 'Phone Number', 'phone');
    expect(duplicateTargets(effectiveColumns(proposal, edits))).toEqual(new Set(['phone']));
    edits = editColumn(edits, 'E-mail', 'email');
    expect(edits).toEqual({ Budget: '', 'E-mail': 'email', 'Phone Number': 'phone' });
    expect(duplicateTargets(effectiveColumns(proposal, edits)).size).toBe(0);
  });

  it('labels the outcomes of both vocabularies', () => {
    expect(outcomeLabel('failed')).toBe('Error');
    expect(outcomeLabel('error')).toBe('Error');
    expect(outcomeLabel('unchanged')).toBe('Lead already up to date');
    expect(outcomeLabel('skip_in_file')).toBe('Duplicate in file');
    expect(outcomeLabel('skip_dnc')).toBe('Skipped: Do Not Call');
    expect(outcomeLabel('something_new')).toBe('something new');
    expect(outcomeTone('failed')).toBe('badge-danger');
    expect(outcomeTone('skip_duplicate')).toBe('badge-muted');
  });

  it('names targets for people and keeps the proposed metadata key', () => {
    expect(fieldLabel('')).toBe('Ignored');
    expect(fieldLabel('metadata.Budget')).toBe('Metadata: Budget');
    expect(fieldLabel('phone')).toBe('Phone');
    expect(metadataTarget(proposal[2])).toBe('metadata.Budget');
    expect(metadataTarget(proposal[0])).toBe('metadata.Phone Number');
  });

  it('sorts a problem’s field errors into columns, options and the rest', () => {
    const fe = wizardFieldErrors([
      { field: 'mapping.Phone Number', message: 'unknown field "fone"' },
      { field: 'mapping.Phone Number', message: 'mapped twice' },
      { field: 'owner_id', message: 'is not a user of the organization' },
      { field: 'tags[1]', message: 'is too long' },
      { field: 'file', message: 'has no header row' },
    ]);
    expect(fe.columns).toEqual({ 'Phone Number': 'unknown field "fone"; mapped twice' });
    expect(fe.options).toEqual({ ownerId: 'is not a user of the organization', tags: 'is too long' });
    expect(fe.other).toEqual([{ field: 'file', message: 'has no header row' }]);
  });
});

describe('CSV samples', () => {
  it('parses quotes, doubled quotes, embedded line breaks and a BOM', () => {
    const text = '\ufeffName,Note\r\n"Lovelace, Ada","said ""hi""\nthen left"\r\nBo,x\n';
    expect(parseCsvSample(text, ',')).toEqual([
      ['Name', 'Note'],
      ['Lovelace, Ada', 'said "hi"\nthen left'],
      ['Bo', 'x'],
    ]);
    expect(parseCsvSample('a;b\n1;2', ';')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    // A cut text drops its last, maybe partial, line.
    expect(parseCsvSample('a,b\n1,2\n3,', ',', 10, true)).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('knows the line each record starts on', () => {
    const recs = parseCsvRecords('h1,h2\n"a\nb",c\nd,e\n', ',', 10);
    expect(recs).toEqual([
      { line: 1, cells: ['h1', 'h2'] },
      { line: 2, cells: ['a\nb', 'c'] },
      { line: 4, cells: ['d', 'e'] },
    ]);
  });

  it('guesses the delimiter and returns samples per column', async () => {
    expect(guessDelimiter('a;b;c')).toBe(';');
    expect(guessDelimiter('a\tb')).toBe('\t');
    const f = new File(['Phone;Name;Empty\n+1206;Ada;\n+1207;Bo;\n'], 'x.csv');
    expect(await csvSamples(f, null)).toEqual([['+1206', '+1207'], ['Ada', 'Bo'], []]);
  });
});

const job = (over: Partial<ImportJob> = {}): ImportJob => ({
  id: 'j1',
  kind: 'csv',
  status: 'running',
  filename: 'leads.csv',
  total_rows: 100,
  processed_rows: 40,
  created: 30,
  updated: 5,
  skipped: 3,
  failed: 2,
  dnc_flagged: 1,
  progress: 0.4,
  rows_per_second: 1234.5,
  error: null,
  created_by: 'u1',
  created_at: '2026-11-25T04:00:00Z',
  started_at: '2026-11-25T04:00:01Z',
  finished_at: null,
  undone_at: null,
  ...over,
});

describe('job state', () => {
  it('knows active jobs, progress and labels', () => {
    expect(isActive(job({ status: 'queued' }))).toBe(true);
    expect(isActive(job({ status: 'running' }))).toBe(true);
    expect(isActive(job({ status: 'cancelled' }))).toBe(false);
    expect(progressOf(job())).toBe(0.4);
    expect(progressOf(job({ progress: NaN, processed_rows: 25, total_rows: 50 }))).toBe(0.5);
    expect(progressOf(job({ status: 'completed', progress: 0.99 }))).toBe(1);
    expect(progressOf(job({ progress: 1.7 }))).toBe(1);
    expect(jobStateLabel(job({ status: 'completed', undone_at: '2026-11-25T05:00:00Z' }))).toBe('Undone');
    expect(jobStateLabel(job({ status: 'failed' }))).toBe('Failed');
    expect(formatRate(1234.5)).toBe('1,235 rows/s');
    expect(formatRate(3.5)).toBe('3.5 rows/s');
    expect(formatRate(0)).toBe('');
    expect(formatRate(null)).toBe('');
  });
});

describe('createJobPoller (progress state machine)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('polls every 500 ms while queued or running and stops when finished', async () => {
    const states: ImportJob[] = [
      job({ status: 'queued', processed_rows: 0, progress: 0 }),
      job({ status: 'running', processed_rows: 50, progress: 0.5 }),
      job({ status: 'completed', processed_rows: 100, progress: 1 }),
    ];
    const load = vi.fn(async () => states.shift()!);
    const seen: string[] = [];
    const p = createJobPoller({ load, onJob: (j) => seen.push(j.status), onError: () => undefined });
    p.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual(['queued']);
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS - 1);
    expect(load).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual(['queued', 'running']);
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS);
    expect(seen).toEqual(['queued', 'running', 'completed']);
    expect(p.polling).toBe(false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(load).toHaveBeenCalledTimes(3);
  });

  it('retries failed reads with a growing delay, then gives up', async () => {
    const load = vi.fn(async (): Promise<ImportJob> => {
      throw new ApiError({ status: 0, type: 'network' });
    });
    const errors: boolean[] = [];
    const p = createJobPoller({ load, onJob: () => undefined, onError: (_e, final) => errors.push(final) });
    p.start();
    await vi.advanceTimersByTimeAsync(60000);
    expect(load).toHaveBeenCalledTimes(POLL_MAX_FAILURES);
    expect(errors).toEqual([false, false, false, false, true]);
    expect(p.polling).toBe(false);
  });

  it('recovers after a failed read, stops at once on a missing job, and stop() stops', async () => {
    let n = 0;
    const load = vi.fn(async () => {
      n++;
      if (n === 2) throw new ApiError({ status: 503 });
      return job();
    });
    const onJob = vi.fn();
    const p = createJobPoller({ load, onJob, onError: () => undefined });
    p.start();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS); // fails
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS * 2); // retried
    expect(onJob).toHaveBeenCalledTimes(2);
    p.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(load).toHaveBeenCalledTimes(3);

    const missing = vi.fn(async (): Promise<ImportJob> => {
      throw new ApiError({ status: 404 });
    });
    const finals: boolean[] = [];
    const q2 = createJobPoller({
      load: missing,
      onJob: () => undefined,
      onError: (_e, final) => finals.push(final),
      fatal: (e) => e instanceof ApiError && e.status === 404,
    });
    q2.start();
    await vi.advanceTimersByTimeAsync(5000);
    expect(finals).toEqual([true]);
    expect(missing).toHaveBeenCalledTimes(1);
  });
});
