import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalDatabase, type LocalDatabase } from './database';
import { createOutboxMailer } from './mail';

describe('createOutboxMailer', () => {
  let local: LocalDatabase;
  beforeAll(async () => {
    local = await openLocalDatabase(null);
  });
  afterAll(() => local?.close());

  it('keeps mail in the outbox, newest first, and logs one line with links', async () => {
    const lines: string[] = [];
    const mailer = createOutboxMailer(local.db, { log: (l) => lines.push(l) });
    const to = `${randomUUID()}@example.com`;
    await mailer.send({ to, subject: 'Verify', text: 'Open http://localhost:8787/verify?t=abc now' });
    await mailer.send({ to, subject: 'Reset', text: 'plain', html: '<p>plain</p>' });
    await mailer.send({ to: `other-${to}`, subject: 'Other', text: 'x' });

    const list = await mailer.list({ to });
    expect(list.map((m) => m.subject)).toEqual(['Reset', 'Verify']);
    expect(list[0]).toMatchObject({ to, html: '<p>plain</p>', text: 'plain' });
    expect(list[1].html).toBeUndefined();
    expect(new Date(list[0].createdAt).toISOString()).toBe(list[0].createdAt);
    expect(await mailer.list({ to, limit: 1 })).toHaveLength(1);
    expect((await mailer.list()).length).toBeGreaterThanOrEqual(3);

    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(`[mail] to=${to} subject="Verify" links=http://localhost:8787/verify?t=abc`);
  });
});
