import type { getConversation } from './read';

/**
 * A conversation exported for records or a ticket: JSON (everything), CSV (one row per message,
 * RFC 4180 quoting, a BOM so spreadsheet apps read UTF-8) or plain text (a readable transcript).
 */
type Detail = NonNullable<Awaited<ReturnType<typeof getConversation>>>;

export const EXPORT_FORMATS = ['json', 'csv', 'txt'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const CSV_COLUMNS = ['created_at', 'role', 'author', 'content', 'content_type', 'delivery_status', 'model', 'sources'] as const;

function csvCell(value: unknown) {
  const text = value === null || value === undefined ? '' : String(value);
  // A leading =, +, - or @ would run as a formula in spreadsheet apps.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function speaker(m: Detail['messages'][number], contactName: string | null) {
  if (m.role === 'user') return contactName ?? 'Visitor';
  if (m.role === 'assistant') return 'Bot';
  if (m.role === 'note') return `${m.author?.name ?? 'Agent'} (private note)`;
  return m.author?.name ?? (m.role === 'agent' ? 'Agent' : 'System');
}

export function exportConversation(detail: Detail, format: ExportFormat): { body: string; contentType: string; extension: string } {
  if (format === 'json') return { body: JSON.stringify(detail, null, 2), contentType: 'application/json; charset=utf-8', extension: 'json' };
  if (format === 'csv') {
    const lines = [CSV_COLUMNS.join(',')];
    for (const m of detail.messages) {
      lines.push(
        [m.createdAt, m.role, speaker(m, detail.contact.name), m.content, m.contentType, m.deliveryStatus, m.model, m.sources.map((s) => s.title).join('; ')]
          .map(csvCell)
          .join(','),
      );
    }
    return { body: `\uFEFF${lines.join('\r\n')}\r\n`, contentType: 'text/csv; charset=utf-8', extension: 'csv' };
  }
  const header = [
    `Conversation ${detail.id}`,
    `Contact: ${detail.contact.name ?? '—'}${detail.contact.email ? ` <${detail.contact.email}>` : ''}`,
    `Channel: ${detail.channel} · Bot: ${detail.bot?.name ?? detail.botId} · Status: ${detail.status}`,
    '',
  ];
  const body = detail.messages.map((m) => `[${m.createdAt}] ${speaker(m, detail.contact.name)}: ${m.content}`);
  return { body: `${[...header, ...body].join('\n')}\n`, contentType: 'text/plain; charset=utf-8', extension: 'txt' };
}
