// Phone numbers for people. The API stores E.164 (+12065550100); US and Canadian numbers are
// shown in national format, others as E.164 in groups. Input is sent as typed: the server
// parses it with the organization's region.

const NANP = /^\+1(\d{3})(\d{3})(\d{4})$/;

/** An E.164 number in display form: "(206) 555-0100" for +1 numbers. */
export function formatPhone(e164: string | null | undefined): string {
  if (!e164) return '';
  const m = NANP.exec(e164);
  if (m) return `(${m[1]}) ${m[2]}-${m[3]}`;
  return e164;
}

/**
 * What a typed number will probably look like once saved, for a hint under the input; null
 * when we cannot tell (the server decides).
 */
export function previewPhone(typed: string): string | null {
  const t = typed.trim();
  if (!t) return null;
  if (/[^\d\s().+\-]/.test(t.replace(/\s*(x|ext\.?)\s*\d+$/i, ''))) return null;
  const digits = t.replace(/\D/g, '');
  if (t.startsWith('+')) {
    if (digits.startsWith('1') && digits.length === 11) return formatPhone(`+${digits}`);
    return digits.length >= 8 && digits.length <= 15 ? `+${digits}` : null;
  }
  if (digits.length === 10) return formatPhone(`+1${digits}`);
  if (digits.length === 11 && digits.startsWith('1')) return formatPhone(`+${digits}`);
  return null;
}

/** Splits a pasted batch (one number per line, or separated by commas/semicolons). */
export function splitPhones(text: string): string[] {
  return text
    .split(/[\n,;\t]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}
