import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETAIL_COLUMNS, REPORT_METRICS } from '../core/analytics/reports';
import { analyticsFixture } from '../testing/analytics-fixture';
import { createTestApi, type TestApi } from '../testing/harness';

/** Daily, weekly and custom reports (JSON and CSV) over the analytics fixture. */
let api: TestApi;

beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

const { EXPECTED_D1, EXPECTED_D2, seedFixture, get } = analyticsFixture(() => api);

describe('reports', () => {
  it('daily, weekly and custom reports match the fixture; CSV has the right columns', async () => {
    const { owner, orgId, d1, d2 } = await seedFixture();
    const daily = await get(owner, orgId, `/api/v1/reports/daily?date=${d1}`);
    expect(daily.status, daily.text).toBe(200);
    expect(daily.body).toMatchObject({ period: 'daily', from: d1, to: d1, complete: true, totals: { conversations: 3, messages: 8, avgRating: 3.5 } });
    const weekly = await get(owner, orgId, `/api/v1/reports/weekly?date=${d1}`);
    expect(weekly.body.byDay).toHaveLength(7);
    expect(new Date(`${weekly.body.from}T00:00:00Z`).getUTCDay()).toBe(1);

    const csv = await get(owner, orgId, `/api/v1/reports/daily?date=${d1}&format=csv`);
    expect(csv.status, csv.text).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toContain(`versaai-daily-${d1}.csv`);
    const lines = csv.raw.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(lines[0].split(',')).toEqual(DETAIL_COLUMNS);
    expect(lines.slice(1).map((l) => l.split(',').slice(2, 5).join(' '))).toEqual(['Ventas web 2', 'Ventas whatsapp 1']);

    const custom = await api.call('POST', '/api/v1/reports/custom', {
      token: owner.token,
      orgId,
      body: { from: d1, to: d2, groupBy: 'day', metrics: ['conversations', 'knowledgeGaps', 'avgRating', 'costUsd'] },
    });
    expect(custom.status, custom.text).toBe(200);
    expect(custom.body.rows).toEqual([
      { key: d1, label: d1, values: { conversations: 3, knowledgeGaps: 1, avgRating: 3.5, costUsd: 0.000405 } },
      { key: d2, label: d2, values: { conversations: 2, knowledgeGaps: 2, avgRating: 4, costUsd: 0 } },
    ]);
    expect(custom.body.totals).toEqual({ conversations: 5, knowledgeGaps: 3, avgRating: 3.67, costUsd: 0.000405 });

    const byBotCsv = await api.call('POST', '/api/v1/reports/custom', {
      token: owner.token,
      orgId,
      body: { from: d1, to: d2, groupBy: 'bot', metrics: ['conversations', 'handoffs'], format: 'csv' },
    });
    expect(byBotCsv.raw.replace(/^\uFEFF/, '').split('\r\n').slice(0, 3)).toEqual([
      'botId,botName,conversations,handoffs',
      expect.stringMatching(/^[0-9a-f-]{36},Soporte,2,0$/),
      expect.stringMatching(/^[0-9a-f-]{36},Ventas,3,1$/),
    ]);
    const all = await api.call('POST', '/api/v1/reports/custom', { token: owner.token, orgId, body: { from: d1, to: d2, groupBy: 'total', format: 'csv' } });
    expect(all.raw.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe(['total', ...REPORT_METRICS].join(','));
  });

  it('rejects bad input with 422, never a 500', async () => {
    const { owner, orgId } = await seedFixture();
    for (const path of [
      '/api/v1/analytics/overview?from=2026-03-10&to=2026-03-01',
      '/api/v1/analytics/overview?from=2026-02-30',
      '/api/v1/analytics/overview?from=2024-01-01&to=2026-01-01',
      '/api/v1/analytics/overview?channels=web,fax',
      '/api/v1/analytics/overview?botIds=not-a-uuid',
      '/api/v1/reports/monthly?date=2026-13-01',
    ]) {
      const res = await get(owner, orgId, path);
      expect(res.status, res.text).toBe(422);
    }
    const custom = await api.call('POST', '/api/v1/reports/custom', { token: owner.token, orgId, body: { from: '2026-03-01', to: '2026-03-02', metrics: ['nope'] } });
    expect(custom.status, custom.text).toBe(422);
  });
});
