/**
 * Calendar days as `YYYY-MM-DD` strings in the organization's timezone. Day arithmetic runs on
 * UTC dates so it never meets a daylight-saving jump; turning a local day into instants is left
 * to Postgres (`day::timestamp at time zone tz`), which knows the zone rules.
 */
const DAY_MS = 86_400_000;

/** A real calendar day in `YYYY-MM-DD` form (2026-02-30 is not). */
export function isDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** Today's date where the organization is. */
export function localToday(timeZone: string, now: Date = new Date()): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Days from `from` to `to`, both included (0 when `to` is before `from`). */
export function dayCount(from: string, to: string): number {
  return Math.max(0, Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1);
}

export function eachDay(from: string, to: string): string[] {
  return Array.from({ length: dayCount(from, to) }, (_, i) => addDays(from, i));
}

export const minDay = (a: string, b: string) => (a < b ? a : b);
export const maxDay = (a: string, b: string) => (a > b ? a : b);

/** Monday of the ISO week that contains `day`. */
export function weekStart(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(day, -((weekday + 6) % 7));
}

export function monthStart(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

export function monthEnd(day: string): string {
  const [year, month] = day.split('-').map(Number);
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
}

export type Period = 'daily' | 'weekly' | 'monthly';

/** The whole period (day, ISO week, calendar month) that contains `day`. */
export function periodContaining(period: Period, day: string): { from: string; to: string } {
  if (period === 'daily') return { from: day, to: day };
  if (period === 'weekly') {
    const from = weekStart(day);
    return { from, to: addDays(from, 6) };
  }
  return { from: monthStart(day), to: monthEnd(day) };
}

/** The last complete period before today (yesterday, last week, last month). */
export function lastCompletePeriod(period: Period, today: string): { from: string; to: string } {
  if (period === 'daily') return periodContaining('daily', addDays(today, -1));
  if (period === 'weekly') return periodContaining('weekly', addDays(weekStart(today), -1));
  return periodContaining('monthly', addDays(monthStart(today), -1));
}
