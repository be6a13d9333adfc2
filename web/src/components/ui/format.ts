export function formatDate(value: string | null | undefined, locale: string, withTime = false) {
  if (!value) return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return '—';
  return new Intl.DateTimeFormat(locale, withTime ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' }).format(d);
}

export function formatBytes(bytes: number | null | undefined, locale: string) {
  if (bytes == null) return '—';
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: u === 0 || v >= 10 ? 0 : 1 }).format(v)} ${units[u]}`;
}

export function formatNumber(n: number | null | undefined, locale: string) {
  return n == null ? '—' : new Intl.NumberFormat(locale).format(n);
}
