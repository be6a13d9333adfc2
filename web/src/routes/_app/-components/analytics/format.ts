/** Number formats of the analytics page, in the reader's language. */

export function formatMs(ms: number | null | undefined, locale: string): string {
  if (ms == null) return '—';
  if (ms < 1000) return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(ms)} ms`;
  if (ms < 60_000) return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(ms / 1000)} s`;
  if (ms < 3_600_000) return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(ms / 60_000)} min`;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(ms / 3_600_000)} h`;
}

export function formatPercent(fraction: number | null | undefined, locale: string): string {
  if (fraction == null) return '—';
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(fraction);
}

export function formatUsd(amount: number | null | undefined, locale: string): string {
  if (amount == null) return '—';
  // Small amounts matter here (a day of a mini model costs cents): show sub-cent precision.
  const digits = amount > 0 && amount < 1 ? 4 : 2;
  return new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: digits }).format(amount);
}

export function formatCompact(n: number | null | undefined, locale: string): string {
  if (n == null) return '—';
  return new Intl.NumberFormat(locale, { notation: n >= 100_000 ? 'compact' : 'standard', maximumFractionDigits: 1 }).format(n);
}

/** "3 mar" / "Mar 3" for chart axes; the day is a calendar date, so it is read as UTC. */
export function formatDay(day: string, locale: string, withYear = false): string {
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', ...(withYear ? { year: 'numeric' } : {}), timeZone: 'UTC' }).format(
    new Date(`${day}T00:00:00Z`),
  );
}

/** Today's date where the organization is (the analytics days are its days). */
export function localToday(timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
