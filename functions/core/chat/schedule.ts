/**
 * Business hours: weekly intervals in the organization's timezone. No intervals = always open.
 * Hours say when people are there. By default (`answerOutsideHours`) the assistant answers around
 * the clock and hours only decide what a request for a person gets; a bot can instead go quiet
 * outside them and send its out-of-hours message.
 */
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

/** When the team is next in, as local wall-clock facts: days from today (0..7), weekday and time. */
export interface NextOpening {
  inDays: number;
  weekday: number;
  opensAt: string;
}

/** The next opening strictly after `now` (null with no hours: always open, nothing to wait for). */
export function nextOpening(intervals: ScheduleInterval[], timeZone: string, now = new Date()): NextOpening | null {
  if (intervals.length === 0) return null;
  const { weekday, minutes } = localTime(now, timeZone);
  let best: { offset: number; opening: NextOpening } | null = null;
  for (const interval of intervals) {
    const opens = toMinutes(interval.opensAt);
    let inDays = (interval.weekday - weekday + 7) % 7;
    if (inDays === 0 && opens <= minutes) inDays = 7;
    const offset = inDays * 1440 + opens - minutes;
    if (!best || offset < best.offset) best = { offset, opening: { inDays, weekday: interval.weekday, opensAt: interval.opensAt.slice(0, 5) } };
  }
  return best?.opening ?? null;
}

const WEEKDAYS = {
  es: ['domingo', 'lunes', 'martes', 'miércoles', 'jueves', 'viernes', 'sábado'],
  en: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
};

/** "mañana a las 9:00" / "on Monday at 09:00": when the team is back, in the visitor's words. */
export function describeOpening(opening: NextOpening, lang: 'es' | 'en'): string {
  const time = lang === 'es' ? opening.opensAt.replace(/^0(\d)/, '$1') : opening.opensAt;
  if (lang === 'es') {
    const day = opening.inDays === 0 ? 'hoy' : opening.inDays === 1 ? 'mañana' : `el ${WEEKDAYS.es[opening.weekday]}`;
    return `${day} a las ${time}`;
  }
  const day = opening.inDays === 0 ? 'today' : opening.inDays === 1 ? 'tomorrow' : `on ${WEEKDAYS.en[opening.weekday]}`;
  return `${day} at ${time}`;
}

/** What a visitor who asks for a person hears while the team is out: when it is back, and that they wait in line. */
export function teamAwayMessage(intervals: ScheduleInterval[], timeZone: string, lang: 'es' | 'en', now = new Date()): string {
  const opening = nextOpening(intervals, timeZone, now);
  const when = opening ? describeOpening(opening, lang) : null;
  if (lang === 'es') {
    return `Ahora mismo nuestro equipo no está disponible${when ? `; vuelve ${when}` : ''}. Les dejo tu mensaje y te responderán aquí mismo. Mientras tanto, puedo seguir ayudándote.`;
  }
  return `Our team is not available right now${when ? `; they are back ${when}` : ''}. I have passed on your message and they will reply right here. Meanwhile, I can keep helping you.`;
}
