import { describe, expect, it } from 'vitest';
import { formatDuration, formatRelative } from './format';
import { matchPath } from './router';

describe('formatRelative', () => {
  const now = new Date('2026-11-25T12:00:00Z');
  it('says how long ago, then the date', () => {
    expect(formatRelative('2026-11-25T11:59:50Z', now)).toBe('just now');
    expect(formatRelative('2026-11-25T11:50:00Z', now)).toBe('10 min ago');
    expect(formatRelative('2026-11-25T09:00:00Z', now)).toBe('3 h ago');
    expect(formatRelative('2026-11-24T10:00:00Z', now)).toBe('yesterday');
    expect(formatRelative('2026-11-21T12:00:00Z', now)).toBe('4 days ago');
    expect(formatRelative('2026-10-01T12:00:00Z', now)).toMatch(/2026/);
    expect(formatRelative('not a date', now)).toBe('not a date');
  });
});

describe('formatDuration', () => {
  it('picks the two largest units', () => {
    expect(formatDuration(40)).toBe('40s');
    expect(formatDuration(125)).toBe('2m');
    expect(formatDuration(2 * 3600 + 5 * 60)).toBe('2h 5m');
    expect(formatDuration(3 * 86400 + 4 * 3600)).toBe('3d 4h');
    expect(formatDuration(-1)).toBe('');
  });
});

describe('matchPath', () => {
  it('matches patterns and decodes parameters', () => {
    expect(matchPath('/leads/:id', '/leads/abc')).toEqual({ id: 'abc' });
    expect(matchPath('/leads/:id', '/leads/a%20b/')).toEqual({ id: 'a b' });
    expect(matchPath('/leads/:id', '/leads')).toBeNull();
    expect(matchPath('/dnc', '/leads')).toBeNull();
  });
});
