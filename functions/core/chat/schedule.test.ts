import { describe, expect, it } from 'vitest';
import { describeOpening, isOpen, nextOpening, teamAwayMessage, type ScheduleInterval } from './schedule';

// 2026-03-04 is a Wednesday (weekday 3); Madrid is UTC+1 in March before the switch.
const at = (iso: string) => new Date(iso);
const weekdays: ScheduleInterval[] = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opensAt: '09:00', closesAt: '18:00' }));

describe('business hours', () => {
  it('no intervals means always open, with no next opening to wait for', () => {
    expect(isOpen([], 'Europe/Madrid', at('2026-03-04T03:00:00Z'))).toBe(true);
    expect(nextOpening([], 'Europe/Madrid', at('2026-03-04T03:00:00Z'))).toBeNull();
  });

  it('is open inside an interval in the organization’s timezone, closed outside', () => {
    expect(isOpen(weekdays, 'Europe/Madrid', at('2026-03-04T09:30:00Z'))).toBe(true);
    expect(isOpen(weekdays, 'Europe/Madrid', at('2026-03-04T17:30:00Z'))).toBe(false);
    expect(isOpen(weekdays, 'Europe/Madrid', at('2026-03-07T10:00:00Z'))).toBe(false);
  });

  it('an interval past midnight belongs to the day it opens', () => {
    const night: ScheduleInterval[] = [{ weekday: 5, opensAt: '22:00', closesAt: '02:00' }];
    expect(isOpen(night, 'UTC', at('2026-03-07T01:00:00Z'))).toBe(true);
    expect(isOpen(night, 'UTC', at('2026-03-07T03:00:00Z'))).toBe(false);
  });

  it('finds the next opening: later today, tomorrow, or after the weekend', () => {
    expect(nextOpening(weekdays, 'UTC', at('2026-03-04T07:00:00Z'))).toEqual({ inDays: 0, weekday: 3, opensAt: '09:00' });
    expect(nextOpening(weekdays, 'UTC', at('2026-03-04T19:00:00Z'))).toEqual({ inDays: 1, weekday: 4, opensAt: '09:00' });
    expect(nextOpening(weekdays, 'UTC', at('2026-03-06T19:00:00Z'))).toEqual({ inDays: 3, weekday: 1, opensAt: '09:00' });
    const onlyWednesday: ScheduleInterval[] = [{ weekday: 3, opensAt: '09:00', closesAt: '10:00' }];
    expect(nextOpening(onlyWednesday, 'UTC', at('2026-03-04T11:00:00Z'))).toEqual({ inDays: 7, weekday: 3, opensAt: '09:00' });
  });

  it('says when the team is back in the visitor’s language', () => {
    expect(describeOpening({ inDays: 1, weekday: 4, opensAt: '09:00' }, 'es')).toBe('mañana a las 9:00');
    expect(describeOpening({ inDays: 3, weekday: 1, opensAt: '09:30' }, 'en')).toBe('on Monday at 09:30');
    expect(teamAwayMessage(weekdays, 'UTC', 'es', at('2026-03-06T19:00:00Z'))).toContain('vuelve el lunes a las 9:00');
    expect(teamAwayMessage(weekdays, 'UTC', 'en', at('2026-03-04T07:00:00Z'))).toContain('back today at 09:00');
  });
});
