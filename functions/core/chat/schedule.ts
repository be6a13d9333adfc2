/** Business hours: weekly intervals in the organization's timezone. No intervals = always open. */
export interface ScheduleInterval {
  weekday: number;
  opensAt: string;
  closesAt: string;
}

function localTime(now: Date, timeZone: string): { weekday: number; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
  return { weekday, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + (m || 0);
}

export function isOpen(intervals: ScheduleInterval[], timeZone: string, now = new Date()): boolean {
  if (intervals.length === 0) return true;
  const { weekday, minutes } = localTime(now, timeZone);
  return intervals.some((interval) => {
    const opens = toMinutes(interval.opensAt);
    const closes = toMinutes(interval.closesAt);
    if (closes > opens) return interval.weekday === weekday && minutes >= opens && minutes < closes;
    // An interval past midnight (22:00–02:00) belongs to the day it opens.
    const previous = (weekday + 6) % 7;
    return (interval.weekday === weekday && minutes >= opens) || (interval.weekday === previous && minutes < closes);
  });
}
