import { describe, expect, it } from 'vitest';
import { latencyBucketOf } from './compute';
import { costOf, priceOf } from './costs';
import { toCsv } from './csv';
import { addDays, isDay, lastCompletePeriod, localToday, periodContaining } from './dates';
import { questionKey } from './gaps';
import { percentileFromHistogram } from './metrics';

describe('local days', () => {
  it('a moment belongs to the local day where the organization is', () => {
    const lateEvening = new Date('2026-03-11T05:30:00Z'); // 23:30 on the 10th in Mexico City
    expect(localToday('America/Mexico_City', lateEvening)).toBe('2026-03-10');
    expect(localToday('Europe/Madrid', lateEvening)).toBe('2026-03-11');
    expect(localToday('Pacific/Kiritimati', new Date('2026-03-10T10:30:00Z'))).toBe('2026-03-11');
  });

  it('validates calendar days and steps across months and leap years', () => {
    expect(isDay('2028-02-29')).toBe(true);
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2026-3-1')).toBe(false);
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('finds the ISO week and the month of a day, and the last complete one', () => {
    expect(periodContaining('weekly', '2026-03-11')).toEqual({ from: '2026-03-09', to: '2026-03-15' }); // Wednesday
    expect(periodContaining('weekly', '2026-03-15')).toEqual({ from: '2026-03-09', to: '2026-03-15' }); // Sunday
    expect(periodContaining('monthly', '2028-02-10')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    expect(lastCompletePeriod('daily', '2026-03-01')).toEqual({ from: '2026-02-28', to: '2026-02-28' });
    expect(lastCompletePeriod('weekly', '2026-03-09')).toEqual({ from: '2026-03-02', to: '2026-03-08' });
    expect(lastCompletePeriod('monthly', '2026-01-15')).toEqual({ from: '2025-12-01', to: '2025-12-31' });
  });
});

describe('latency percentiles from the histogram', () => {
  it('puts an answer time in the first bucket it fits under', () => {
    expect([0, 50, 51, 999, 1000, 1001, 60000, 60001].map(latencyBucketOf)).toEqual(['50', '50', '100', '1000', '1000', '2000', '60000', 'inf']);
  });

  it('interpolates inside the bucket and reports the open bucket by its lower edge', () => {
    expect(percentileFromHistogram({}, 0.5)).toBeNull();
    expect(percentileFromHistogram({ '1000': 4 }, 0.5)).toBe(750); // (500, 1000], halfway
    expect(percentileFromHistogram({ '250': 9, inf: 1 }, 0.99)).toBe(60000);
    expect(percentileFromHistogram({ '250': 9, inf: 1 }, 0.5)).toBe(183); // 100 + 5/9 * 150
  });
});

describe('knowledge-gap grouping key', () => {
  it('ignores case, accents, punctuation, stop words and word order', () => {
    expect(questionKey('¿Cuál es el HORARIO?')).toBe('horario');
    expect(questionKey('cual es el horario')).toBe('horario');
    expect(questionKey('What are your opening hours?')).toBe('hours opening');
    expect(questionKey('envío a Monterrey')).toBe(questionKey('Monterrey: ¿envío?'));
    // A question made only of stop words still gets a key of its own.
    expect(questionKey('¿Y tú?')).toBe('y tu');
  });
});

describe('CSV', () => {
  it('quotes what needs quoting, neutralises formulas and starts with a BOM', () => {
    const csv = toCsv(['name', 'count', 'rate'], [
      { name: 'Ventas, "norte"', count: 3, rate: null },
      { name: '=HYPERLINK("http://evil")', count: -1, rate: 0.5 },
      { name: 'línea\nnueva', count: 0, rate: 1 },
    ]);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv.slice(1).split('\r\n')).toEqual([
      'name,count,rate',
      '"Ventas, ""norte""",3,',
      `"'=HYPERLINK(""http://evil"")",-1,0.5`,
      '"línea\nnueva",0,1',
      '',
    ]);
  });
});

describe('model cost', () => {
  it('prices known models per million tokens; self-hosted is free; unknown hosted is unpriced', () => {
    expect(costOf('openai:gpt-4o-mini', 1_000_000, 1_000_000)).toBeCloseTo(0.75, 10);
    expect(costOf('groq:llama-3.1-8b-instant', 2_000_000, 0)).toBeCloseTo(0.1, 10);
    expect(costOf('builtin:extractive', 5000, 5000)).toBe(0);
    expect(priceOf('compatible:llama3')).toEqual({ inputPerMillion: 0, outputPerMillion: 0 });
    expect(priceOf('openai:some-future-model')).toBeNull();
    expect(costOf('openai:some-future-model', 1000, 1000)).toBe(0);
  });
});
