// @vitest-environment happy-dom
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type ImportJob, type ImportPreview } from '../api';
import { appState, byLabel, button, click, flush, render, setValue, submit, type Rendered } from '../test/render';

const api = {
  previewImport: vi.fn(),
  startImport: vi.fn(),
  imports: vi.fn(),
  importJob: vi.fn(),
  cancelImport: vi.fn(),
  undoImport: vi.fn(),
  importErrorsCsv: vi.fn(),
};
vi.mock('../session', () => ({ api }));

const { ImportWizard, ImportHistory, ImportsPage } = await import('./ImportsPage');
const { ImportJobPage, undoSummary } = await import('./ImportJobPage');

const CSV = 'Phone Number,E-mail,Budget\n+12065550100,ada@example.com,100\nnope,bo@,200\n';

function preview(over: Partial<ImportPreview> = {}): ImportPreview {
  return {
    format: 'csv',
    delimiter: ',',
    columns: [
      { header: 'Phone Number', field: 'phone', guessed: true },
      { header: 'E-mail', field: 'email', guessed: true },
      { header: 'Budget', field: 'metadata.Budget', guessed: true },
    ],
    fields: ['first_name', 'last_name', 'full_name', 'email', 'phone', 'status', 'source', 'tags'],
    rows: [
      { line: 2, values: { phone: '+12065550100', email: 'ada@example.com', 'metadata.Budget': '100' }, errors: [], outcome: 'create', existing_id: null, dnc: false },
      {
        line: 3,
        values: {},
        errors: [
          { field: 'phone', message: 'is not a valid phone number' },
          { field: 'email', message: 'is not an email address' },
        ],
        outcome: 'error',
        existing_id: null,
        dnc: false,
      },
    ],
    total_rows_previewed: 2,
    ...over,
  };
}

const job = (over: Partial<ImportJob> = {}): ImportJob => ({
  id: 'job-1',
  kind: 'csv',
  status: 'queued',
  filename: 'leads.csv',
  options: { dedupe: 'skip', update_mode: 'fill', dnc: 'flag', source: null, tags: [], owner_id: null, mapping: null, unknown_columns: 'metadata' },
  total_rows: 0,
  processed_rows: 0,
  created: 0,
  updated: 0,
  skipped: 0,
  failed: 0,
  dnc_flagged: 0,
  progress: 0,
  rows_per_second: null,
  error: null,
  created_by: 'u1',
  created_at: '2026-11-25T04:00:00Z',
  started_at: null,
  finished_at: null,
  undone_at: null,
  ...over,
});

let r: Rendered;
const actions = () => r.host.querySelector<HTMLElement>('.page-actions')!;
afterEach(() => {
  r?.unmount();
  Object.values(api).forEach((f) => f.mockReset());
});

async function chooseFile(host: HTMLElement, f: File) {
  const input = byLabel(host, 'CSV or Excel (.xlsx) file');
  Object.defineProperty(input, 'files', { value: [f], configurable: true });
  await act(async () => {
    input.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await flush(10);
}

const lastQuery = (fn: ReturnType<typeof vi.fn>) => Object.fromEntries((fn.mock.lastCall![2] as URLSearchParams).entries());

describe('ImportWizard', () => {
  let onStarted: ReturnType<typeof vi.fn>;
  beforeEach(() => {
    onStarted = vi.fn();
    r = render(<ImportWizard onStarted={onStarted} />);
  });

  it('labels the file input and every control of the preview', async () => {
    api.previewImport.mockResolvedValue(preview());
    await chooseFile(r.host, new File([CSV], 'leads.csv', { type: 'text/csv' }));
    for (const el of r.host.querySelectorAll('input, select, textarea')) {
      const id = el.id;
      const labelled = (id && r.host.querySelector(`label[for="${CSS.escape(id)}"]`)) || el.closest('label');
      expect(labelled, `${el.tagName} ${id}`).toBeTruthy();
    }
    for (const b of r.host.querySelectorAll('button')) expect((b.getAttribute('aria-label') || b.textContent)!.trim()).not.toBe('');
  });

  it('previews the file, shows the proposed mapping, samples and row errors', async () => {
    api.previewImport.mockResolvedValue(preview());
    const f = new File([CSV], 'leads.csv', { type: 'text/csv' });
    await chooseFile(r.host, f);
    expect(api.previewImport).toHaveBeenCalledTimes(1);
    const [body, type] = api.previewImport.mock.lastCall!;
    expect(body).toBe(f);
    expect(type).toBe('text/csv');
    expect(lastQuery(api.previewImport)).toEqual({ filename: 'leads.csv', format: 'csv', dedupe: 'skip', dnc: 'flag', unknown_columns: 'metadata' });

    const phone = byLabel<HTMLSelectElement>(r.host, 'Lead field for column Phone Number');
    expect(phone.value).toBe('phone');
    expect(byLabel<HTMLSelectElement>(r.host, 'Lead field for column Budget').value).toBe('metadata.Budget');
    // Samples come from the file itself.
    expect(r.host.querySelector('.mapping-table tbody tr .samples')!.textContent).toBe('+12065550100nope');
    // The bad row with the API's messages, as reported.
    const bad = r.host.querySelector('.preview-table tr.row-error')!;
    expect(bad.textContent).toContain('phone is not a valid phone number');
    // The server sends no values for a row it could not read: its cells as in the file.
    expect([...bad.querySelectorAll('.raw-cell')].map((c) => c.textContent)).toEqual(['nope', 'bo@', '200']);
    expect(bad.textContent).toContain('email is not an email address');
    expect(r.host.querySelector('.preview-summary')!.textContent).toContain('Error: 1');
  });

  it('sends an edited mapping and the options with the preview and the import', async () => {
    api.previewImport.mockResolvedValue(preview());
    const f = new File([CSV], 'leads.csv', { type: 'text/csv' });
    await chooseFile(r.host, f);

    setValue(byLabel<HTMLSelectElement>(r.host, 'Lead field for column Budget'), '');
    click(byLabel(r.host, 'Update the existing lead'));
    click(byLabel(r.host, 'Overwrite with the file’s values'));
    click(byLabel(r.host, 'Skip the row'));
    setValue(byLabel(r.host, 'Default source'), 'expo');
    setValue(byLabel(r.host, 'Tags for every imported lead'), 'spring, vip');
    setValue(byLabel<HTMLSelectElement>(r.host, 'Owner'), 'u2');
    await flush(450);
    expect(lastQuery(api.previewImport)).toMatchObject({ mapping: '{"Budget":""}', dedupe: 'update', update_mode: 'overwrite', dnc: 'skip' });

    api.startImport.mockResolvedValue(job());
    await submit(r.host.querySelector('form')!);
    expect(api.startImport).toHaveBeenCalledTimes(1);
    expect(api.startImport.mock.lastCall![0]).toBe(f);
    expect(lastQuery(api.startImport)).toEqual({
      filename: 'leads.csv',
      format: 'csv',
      dedupe: 'update',
      update_mode: 'overwrite',
      dnc: 'skip',
      unknown_columns: 'metadata',
      source: 'expo',
      tags: 'spring,vip',
      owner_id: 'u2',
      mapping: '{"Budget":""}',
    });
    expect(onStarted).toHaveBeenCalledWith(job());
  });

  it('warns when two columns are given one field and does not start', async () => {
    api.previewImport.mockResolvedValue(preview());
    await chooseFile(r.host, new File([CSV], 'leads.csv'));
    setValue(byLabel<HTMLSelectElement>(r.host, 'Lead field for column E-mail'), 'phone');
    expect(button(r.host, 'Start import').disabled).toBe(false);
    setValue(byLabel<HTMLSelectElement>(r.host, 'Lead field for column Phone Number'), 'email');
    setValue(byLabel<HTMLSelectElement>(r.host, 'Lead field for column Phone Number'), 'phone');
    const sel = byLabel<HTMLSelectElement>(r.host, 'Lead field for column E-mail');
    expect(sel.getAttribute('aria-invalid')).toBe('true');
    expect(r.host.querySelector(`#${sel.getAttribute('aria-describedby')}`)!.textContent).toBe('Another column feeds this field too.');
    expect(button(r.host, 'Start import').disabled).toBe(true);
  });

  it('shows the API’s field errors next to the column and option, and the summary', async () => {
    api.previewImport.mockResolvedValue(preview());
    await chooseFile(r.host, new File([CSV], 'leads.csv'));
    api.startImport.mockRejectedValue(
      new ApiError({
        status: 422,
        type: 'https://leadline.dev/problems/validation-failed',
        detail: 'invalid import options',
        errors: [
          { field: 'mapping.Phone Number', message: 'is mapped twice' },
          { field: 'owner_id', message: 'is not a user of the organization' },
        ],
      }),
    );
    await submit(r.host.querySelector('form')!);
    const phone = byLabel<HTMLSelectElement>(r.host, 'Lead field for column Phone Number');
    expect(phone.getAttribute('aria-invalid')).toBe('true');
    expect(r.host.querySelector('#map-0-error')!.textContent).toBe('is mapped twice');
    const owner = byLabel<HTMLSelectElement>(r.host, 'Owner');
    expect(owner.getAttribute('aria-invalid')).toBe('true');
    expect(r.host.querySelector('#opt-owner-error')!.textContent).toBe('is not a user of the organization');
    const alert = r.host.querySelector('[role="alert"]')!;
    expect(alert.textContent).toContain('The import was not started');
    expect(alert.textContent).toContain('invalid import options');
    expect(alert.textContent).toContain('mapping.Phone Number is mapped twice');
    expect(onStarted).not.toHaveBeenCalled();
  });

  it('reports an oversized upload and an unreadable file', async () => {
    api.previewImport.mockRejectedValue(new ApiError({ status: 413, title: 'Payload Too Large', detail: 'the upload is larger than 512 MB' }));
    await chooseFile(r.host, new File([CSV], 'leads.csv'));
    expect(r.host.querySelector('[role="alert"]')!.textContent).toContain('the upload is larger than 512 MB');

    await chooseFile(r.host, new File([''], 'empty.csv'));
    expect(r.host.querySelector('#import-file-error')!.textContent).toBe('The file is empty.');
    expect(api.previewImport).toHaveBeenCalledTimes(1);
  });

  it('takes a dropped file', async () => {
    api.previewImport.mockResolvedValue(preview());
    const f = new File([CSV], 'dropped.csv');
    const zone = r.host.querySelector('.dropzone')!;
    const drop = new Event('drop', { bubbles: true, cancelable: true });
    Object.defineProperty(drop, 'dataTransfer', { value: { files: [f] } });
    await act(async () => {
      zone.dispatchEvent(drop);
    });
    await flush(10);
    expect(api.previewImport.mock.lastCall![0]).toBe(f);
    expect(r.host.querySelector('.file-chosen')!.textContent).toContain('dropped.csv');
  });
});

describe('ImportJobPage', () => {
  it('polls while running, then shows the counts, errors.csv, and undoes after confirmation', async () => {
    vi.useFakeTimers();
    try {
      api.importJob
        .mockResolvedValueOnce(job({ status: 'running', processed_rows: 2, total_rows: 5, progress: 0.4, rows_per_second: 2100 }))
        .mockResolvedValueOnce(
          job({ status: 'completed', processed_rows: 5, total_rows: 5, progress: 1, created: 3, failed: 2, finished_at: '2026-11-25T04:00:03Z' }),
        );
      r = render(<ImportJobPage id="job-1" />);
      await act(async () => {
        await vi.advanceTimersByTimeAsync(0);
      });
      const bar = r.host.querySelector('progress')!;
      expect(bar.value).toBe(40);
      expect(r.host.querySelector('.progress-text')!.textContent).toBe('2 rows processed · 2,100 rows/s');
      expect(button(actions(), 'Cancel import')).toBeTruthy();

      await act(async () => {
        await vi.advanceTimersByTimeAsync(500);
      });
      expect(api.importJob).toHaveBeenCalledTimes(2);
      expect(bar.value).toBe(100);
      const counts = Object.fromEntries(
        [...r.host.querySelectorAll('.count')].map((c) => [c.querySelector('dt')!.textContent, c.querySelector('dd')!.textContent]),
      );
      expect(counts).toEqual({ Created: '3', Updated: '0', Skipped: '0', Failed: '2', 'DNC-flagged': '0' });
      expect(() => button(actions(), 'Cancel import')).toThrow();
      await act(async () => {
        await vi.advanceTimersByTimeAsync(5000);
      });
      expect(api.importJob).toHaveBeenCalledTimes(2);

      // errors.csv
      const blob = new Blob(['a,_line,_error\n'], { type: 'text/csv' });
      api.importErrorsCsv.mockResolvedValue(blob);
      const createObjectURL = vi.fn(() => 'blob:x');
      Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
      await act(async () => {
        button(r.host, /Download failed rows/).click();
        await vi.advanceTimersByTimeAsync(0);
      });
      expect(api.importErrorsCsv).toHaveBeenCalledWith('job-1');
      expect(createObjectURL).toHaveBeenCalledWith(blob);

      // Undo asks first.
      click(button(actions(), 'Undo import'));
      expect(api.undoImport).not.toHaveBeenCalled();
      const dialog = [...r.host.querySelectorAll('dialog')].find((d) => d.textContent!.includes('Undo this import?'))!;
      expect(dialog.textContent).toContain('The 3 leads it created will be deleted');
      api.undoImport.mockResolvedValue({ job: job({ status: 'completed', created: 3, failed: 2, undone_at: '2026-11-25T04:01:00Z' }), deleted: 3, restored: 0 });
      await act(async () => {
        [...dialog.querySelectorAll('button')].find((b) => b.textContent === 'Undo import')!.click();
        await vi.advanceTimersByTimeAsync(0);
      });
      expect(api.undoImport).toHaveBeenCalledWith('job-1');
      expect(r.host.textContent).toContain('The import was undone.');
      expect(r.host.querySelector('.lead-meta .badge')!.textContent).toBe('Undone');
      expect(() => button(actions(), 'Undo import')).toThrow();
    } finally {
      vi.useRealTimers();
    }
  });

  it('cancels a running import, and shows a failed one’s reason', async () => {
    api.importJob.mockResolvedValue(job({ status: 'running', progress: 0.1, processed_rows: 10 }));
    r = render(<ImportJobPage id="job-1" />);
    await flush();
    click(button(actions(), 'Cancel import'));
    api.cancelImport.mockResolvedValue(job({ status: 'cancelled', processed_rows: 12 }));
    api.importJob.mockResolvedValue(job({ status: 'cancelled', processed_rows: 12 }));
    const dialog = [...r.host.querySelectorAll('dialog')].find((d) => d.textContent!.includes('Cancel this import?'))!;
    await act(async () => {
      [...dialog.querySelectorAll('button')].find((b) => b.textContent === 'Cancel import')!.click();
    });
    await flush();
    expect(api.cancelImport).toHaveBeenCalledWith('job-1');
    expect(r.host.querySelector('.lead-meta .badge')!.textContent).toBe('Cancelled');
    r.unmount();

    api.importJob.mockReset();
    api.importJob.mockResolvedValue(job({ status: 'failed', error: 'the file is not UTF-8 at byte 1042' }));
    r = render(<ImportJobPage id="job-1" />);
    await flush();
    expect(r.host.querySelector('[role="alert"]')!.textContent).toContain('the file is not UTF-8 at byte 1042');
  });

  it('says when the import does not exist', async () => {
    api.importJob.mockRejectedValue(new ApiError({ status: 404, detail: 'no such import' }));
    r = render(<ImportJobPage id="nope" />);
    await flush();
    expect(r.host.querySelector('h1')!.textContent).toBe('Import not found');
    expect(api.importJob).toHaveBeenCalledTimes(1);
  });
});

describe('ImportsPage', () => {
  it('tells agents that imports are for managers and admins', async () => {
    r = render(<ImportsPage />, appState('agent'));
    await flush();
    expect(r.host.textContent).toContain('Only managers and admins import leads.');
    expect(r.host.querySelector('input[type="file"]')).toBeNull();
    expect(api.imports).not.toHaveBeenCalled();
  });
});

describe('undoSummary', () => {
  it('counts what the undo did', () => {
    expect(undoSummary({ deleted: 3, restored: 0 })).toBe('3 leads it created were deleted; 0 leads it updated got their earlier values back.');
    expect(undoSummary({ deleted: 1, restored: 2, kept: 1 })).toBe(
      '1 lead it created was deleted; 2 leads it updated got their earlier values back. 1 lead changed since the import was left as it is.',
    );
  });
});

describe('ImportHistory', () => {
  it('lists past imports with status and counts, and the empty state', async () => {
    api.imports.mockResolvedValue({
      data: [
        job({ id: 'a', status: 'completed', filename: 'spring.csv', processed_rows: 5, created: 3, failed: 2 }),
        job({ id: 'b', status: 'failed', filename: 'bad.xlsx', kind: 'xlsx' }),
      ],
      next_cursor: null,
    });
    r = render(<ImportHistory />);
    await flush();
    const rows = [...r.host.querySelectorAll('.imports-table tbody tr')];
    expect(rows).toHaveLength(2);
    expect(rows[0].querySelector('a')!.getAttribute('href')).toBe('/imports/a');
    expect([...rows[0].querySelectorAll('td')].map((td) => td.textContent)).toEqual(['Completed', expect.any(String), '5', '3', '0', '0', '2', '0']);
    expect(rows[1].textContent).toContain('Failed');
    r.unmount();

    api.imports.mockResolvedValue({ data: [], next_cursor: null });
    r = render(<ImportHistory />);
    await flush();
    expect(r.host.textContent).toContain('No imports yet.');
  });
});
