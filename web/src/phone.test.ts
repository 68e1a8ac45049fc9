import { describe, expect, it } from 'vitest';
import { formatPhone, previewPhone, splitPhones } from './phone';

describe('formatPhone', () => {
  it('shows US numbers in national format', () => {
    expect(formatPhone('+12065550100')).toBe('(206) 555-0100');
  });
  it('leaves other numbers in E.164', () => {
    expect(formatPhone('+442079460958')).toBe('+442079460958');
  });
  it('shows nothing for no number', () => {
    expect(formatPhone(null)).toBe('');
    expect(formatPhone(undefined)).toBe('');
    expect(formatPhone('')).toBe('');
  });
});

describe('previewPhone', () => {
  it('formats what looks like a US number', () => {
    expect(previewPhone('206.555.0100')).toBe('(206) 555-0100');
    expect(previewPhone('1 (206) 555-0100')).toBe('(206) 555-0100');
    expect(previewPhone('+1 206 555 0100')).toBe('(206) 555-0100');
  });
  it('keeps international numbers as digits', () => {
    expect(previewPhone('+44 20 7946 0958')).toBe('+442079460958');
  });
  it('gives up on what it cannot tell', () => {
    expect(previewPhone('')).toBeNull();
    expect(previewPhone('12345')).toBeNull();
    expect(previewPhone('call me maybe')).toBeNull();
  });
});

describe('splitPhones', () => {
  it('splits lines, commas and semicolons and drops blanks', () => {
    expect(splitPhones('(206) 555-0100\n\n+14155550123, 2065550101;x')).toEqual([
      '(206) 555-0100',
      '+14155550123',
      '2065550101',
      'x',
    ]);
  });
});
