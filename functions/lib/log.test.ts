import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApi, type TestApi } from '../testing/harness';
import { describeError } from './log';

const CANARY = 'canary-secret-4f1d9a';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

function capturedConsole(run: () => Promise<void>) {
  const lines: string[] = [];
  const capture = (...args: unknown[]) => void lines.push(args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  const spies = (['error', 'warn', 'log', 'info'] as const).map((level) => vi.spyOn(console, level).mockImplementation(capture));
  return run()
    .finally(() => spies.forEach((spy) => spy.mockRestore()))
    .then(() => lines.join('\n'));
}

describe('error logs never carry query parameters', () => {
  it('a failed insert during sign-up logs the request id, route and SQLSTATE, not the values', async () => {
    const { db } = api.runtime.services;
    // Any insert of this canary now fails inside Postgres, the way a constraint violation would.
    await db.execute(sql.raw(`ALTER TABLE users ADD CONSTRAINT no_canary CHECK (name NOT LIKE '%${CANARY}%') NOT VALID`));
    try {
      let requestId = '';
      const output = await capturedConsole(async () => {
        const res = await api.call('POST', '/api/v1/auth/register', {
          body: { email: `${CANARY}@example.com`, password: `${CANARY}-password`, name: `Ana ${CANARY}` },
          // A 500 is what this test provokes on purpose; no route documents one.
          unchecked: true,
        });
        expect(res.status, res.text).toBe(500);
        requestId = res.body.error.requestId;
      });
      expect(output).toContain('request failed');
      expect(output).toContain(requestId);
      expect(output).toContain('/api/v1/auth/register');
      expect(output).toContain('23514');
      expect(output).not.toContain(CANARY);
      expect(output).not.toMatch(/pbkdf2|\$\d{5,}\$/i);
    } finally {
      await db.execute(sql`ALTER TABLE users DROP CONSTRAINT no_canary`);
    }
  });

  it('describes a wrapped query error by SQLSTATE and names only', async () => {
    const { db } = api.runtime.services;
    const error = await db.execute(sql`SELECT ${`${CANARY}-hash`}::uuid`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message) + String(((error as Error).cause as Error | undefined)?.message)).toContain(CANARY);
    const summary = describeError(new Error('saving the reply failed', { cause: error }));
    expect(JSON.stringify(summary)).not.toContain(CANARY);
    expect(summary).toMatchObject({ message: 'saving the reply failed', sqlstate: '22P02' });
  });

  it('keeps the message of errors that are not database errors', () => {
    expect(describeError(new TypeError('x is not a function'))).toMatchObject({ name: 'TypeError', message: 'x is not a function' });
  });
});
