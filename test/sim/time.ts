// XenAPI datetimes: `YYYYMMDDTHH:MM:SSZ` (Clock.Date.to_rfc3339 without separators in the date).
export const EPOCH = '19700101T00:00:00Z';

export function xapiDate(d: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(
    d.getUTCMinutes(),
  )}:${p(d.getUTCSeconds())}Z`;
}

export function isXapiDate(text: string): boolean {
  return /^\d{8}T\d\d:\d\d:\d\dZ$/.test(text);
}
