import { sql } from 'drizzle-orm';
import type { Database, DevOutbox, MailMessage, Mailer } from '../../ports';
import { queryRows } from './database';

/**
 * Dev mailer: keeps every mail in `local_outbox` (each user reads their own in the dashboard) and
 * prints a line with its links, so a developer can click a verification link without a mail
 * server. The terminal gets every recipient's links, reset links included: whoever reads it runs
 * the server and owns the data directory anyway, which is not true of whoever reaches the port.
 */
export function createOutboxMailer(
  db: Database,
  options: { log?: (line: string) => void } = {},
): Mailer & DevOutbox {
  const log = options.log ?? ((line: string) => console.log(line));
  return {
    async send(message: MailMessage) {
      await db.execute(sql`
        INSERT INTO local_outbox ("to", subject, text, html, "from", headers)
        VALUES (${message.to}, ${message.subject}, ${message.text}, ${message.html ?? null}, ${message.from ?? null},
                ${message.headers ? JSON.stringify(message.headers) : null}::jsonb)`);
      const links = message.text.match(/https?:\/\/\S+/g) ?? [];
      log(
        `[mail] to=${message.to} subject=${JSON.stringify(message.subject)}` +
          (links.length ? ` links=${links.join(' ')}` : '') +
          // The outbox keeps the text only; the files' names say what went with it.
          (message.attachments?.length ? ` attachments=${message.attachments.map((a) => JSON.stringify(a.filename)).join(',')}` : ''),
      );
    },

    async list(opts = {}) {
      const limit = Math.min(Math.max(Math.floor(opts.limit ?? 50), 1), 500);
      const rows = await queryRows<{
        id: string;
        to: string;
        subject: string;
        text: string;
        html: string | null;
        from: string | null;
        headers: Record<string, string> | string | null;
        created_at: Date | string;
      }>(
        db,
        sql`
          SELECT id, "to", subject, text, html, "from", headers, created_at FROM local_outbox
          ${opts.to !== undefined ? sql`WHERE lower("to") = lower(${opts.to})` : sql``}
          ORDER BY created_at DESC, id DESC
          LIMIT ${limit}`,
      );
      return rows.map((r) => ({
        id: r.id,
        to: r.to,
        subject: r.subject,
        text: r.text,
        ...(r.html !== null ? { html: r.html } : {}),
        ...(r.from !== null ? { from: r.from } : {}),
        ...(r.headers !== null ? { headers: typeof r.headers === 'string' ? (JSON.parse(r.headers) as Record<string, string>) : r.headers } : {}),
        createdAt: new Date(r.created_at).toISOString(),
      }));
    },
  };
}
