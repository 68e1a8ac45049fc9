import { describe, expect, it } from 'vitest';
import {
  activeFilterCount,
  EMPTY_FILTER,
  filterFromSearch,
  filterToApiParams,
  filterToBulkFilter,
  filterToSearch,
  nextSort,
  sortDirection,
  type LeadFilter,
} from './filters';

const full: LeadFilter = {
  statuses: ['new', 'qualified'],
  tags: ['vip', 'spring promo'],
  q: 'smith',
  source: 'web',
  assignedTo: 'me',
  scoreMin: 10,
  scoreMax: 90,
  createdFrom: '2026-01-01',
  createdTo: '2026-01-31',
  sort: '-lead_score',
};

describe('filter <-> URL', () => {
  it('leaves defaults out of the URL', () => {
    expect(filterToSearch(EMPTY_FILTER)).toBe('');
  });

  it('round-trips every field', () => {
    const s = filterToSearch(full);
    expect(filterFromSearch(s)).toEqual(full);
    expect(filterFromSearch(`?${s}`)).toEqual(full);
  });

  it('writes a readable, stable query', () => {
    expect(filterToSearch(full)).toBe(
      'q=smith&status=new%2Cqualified&tag=vip&tag=spring+promo&source=web&assigned_to=me&score_min=10&score_max=90&created_from=2026-01-01&created_to=2026-01-31&sort=-lead_score',
    );
  });

  it('accepts status as a comma list or repeated, in funnel order, without duplicates', () => {
    expect(filterFromSearch('status=lost,new&status=new').statuses).toEqual(['new', 'lost']);
  });

  it('ignores malformed values', () => {
    const f = filterFromSearch('status=bogus&score_min=abc&score_max=101&created_from=yesterday&sort=name&tag=');
    expect(f).toEqual(EMPTY_FILTER);
  });

  it('keeps score 0', () => {
    expect(filterFromSearch('score_min=0').scoreMin).toBe(0);
    expect(filterToSearch({ ...EMPTY_FILTER, scoreMin: 0 })).toBe('score_min=0');
  });
});

describe('filter -> API', () => {
  it('maps to the list query of the API', () => {
    const p = filterToApiParams(full, { limit: 50, cursor: 'abc' });
    expect(p.get('status')).toBe('new,qualified');
    expect(p.getAll('tag')).toEqual(['vip', 'spring promo']);
    expect(p.get('q')).toBe('smith');
    expect(p.get('assigned_to')).toBe('me');
    expect(p.get('source')).toBe('web');
    expect(p.get('score_min')).toBe('10');
    expect(p.get('score_max')).toBe('90');
    expect(p.get('created_from')).toBe('2026-01-01T00:00:00Z');
    expect(p.get('created_to')).toBe('2026-01-31T23:59:59Z');
    expect(p.get('sort')).toBe('-lead_score');
    expect(p.get('limit')).toBe('50');
    expect(p.get('cursor')).toBe('abc');
  });

  it('sends only what is set', () => {
    expect(filterToApiParams(EMPTY_FILTER).toString()).toBe('sort=-created_at');
  });

  it('leaves paging out of the export query', () => {
    const p = filterToApiParams(full, { limit: 50, cursor: 'abc', forExport: true });
    expect(p.has('limit')).toBe(false);
    expect(p.has('cursor')).toBe(false);
    expect(p.get('status')).toBe('new,qualified');
  });

  it('maps to the bulk filter object', () => {
    expect(filterToBulkFilter(full)).toEqual({
      status: ['new', 'qualified'],
      tag: ['vip', 'spring promo'],
      q: 'smith',
      assigned_to: 'me',
      source: 'web',
      score_min: 10,
      score_max: 90,
      created_from: '2026-01-01T00:00:00Z',
      created_to: '2026-01-31T23:59:59Z',
    });
    expect(filterToBulkFilter(EMPTY_FILTER)).toEqual({});
  });

  it('counts active filters', () => {
    expect(activeFilterCount(EMPTY_FILTER)).toBe(0);
    expect(activeFilterCount(full)).toBe(10);
  });
});

describe('sorting', () => {
  it('sorts a new column descending first, then toggles', () => {
    expect(nextSort('-created_at', 'lead_score')).toBe('-lead_score');
    expect(nextSort('-lead_score', 'lead_score')).toBe('lead_score');
    expect(nextSort('lead_score', 'lead_score')).toBe('-lead_score');
  });
  it('reports aria-sort', () => {
    expect(sortDirection('-created_at', 'created_at')).toBe('descending');
    expect(sortDirection('created_at', 'created_at')).toBe('ascending');
    expect(sortDirection('created_at', 'lead_score')).toBe('none');
  });
});
