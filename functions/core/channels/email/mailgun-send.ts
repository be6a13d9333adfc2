import type { Config } from '../../../lib/config';
import type { MailMessage } from '../../../ports';

/**
 * Mailgun's messages API, as documented at
 * https://documentation.mailgun.com/docs/mailgun/api-reference/send/mailgun/messages : `POST
 * /v3/{domain}/messages` with HTTP basic auth (`api` and the API key) and a multipart/form-data
 * body: `from`, `to`, `subject`, `text`, `html`, `h:<Header>` for custom headers (`h:Reply-To`,
 * `h:Message-Id`, `h:In-Reply-To`, `h:References`), and one `attachment` field per file (the
 * field repeats). Mailgun answers `{ id, message }`.
 */
export function mailgunMessageForm(message: MailMessage, defaultFrom: string): FormData {
  const form = new FormData();
  form.append('from', message.from ?? defaultFrom);
  form.append('to', message.to);
  form.append('subject', message.subject);
  form.append('text', message.text);
  if (message.html) form.append('html', message.html);
  if (message.replyTo) form.append('h:Reply-To', message.replyTo);
  for (const [name, value] of Object.entries(message.headers ?? {})) form.append(`h:${name}`, value);
  for (const file of message.attachments ?? []) {
    form.append('attachment', new Blob([file.content as Uint8Array<ArrayBuffer>], { type: file.contentType }), file.filename);
  }
  return form;
}

export const mailgunConfigured = (config: Config) => Boolean(config.MAILGUN_API_KEY);

/** Sends through Mailgun; throws with Mailgun's answer when it refuses (the caller's retry policy decides). */
export async function sendViaMailgun(config: Config, message: MailMessage): Promise<{ id: string | null }> {
  const domain = config.MAILGUN_DOMAIN ?? config.EMAIL_INBOUND_DOMAIN;
  const response = await fetch(`${config.MAILGUN_API_URL}/v3/${encodeURIComponent(domain)}/messages`, {
    method: 'POST',
    headers: { Authorization: `Basic ${btoa(`api:${config.MAILGUN_API_KEY ?? ''}`)}`, Accept: 'application/json' },
    body: mailgunMessageForm(message, config.MAIL_FROM),
    signal: AbortSignal.timeout(Math.max(config.CHANNEL_API_TIMEOUT_MS, 60_000)),
  });
  const body = await response.text();
  if (!response.ok) throw new Error(`Mailgun answered ${response.status}: ${body.slice(0, 300)}`);
  try {
    const id = (JSON.parse(body) as { id?: unknown }).id;
    return { id: typeof id === 'string' ? id : null };
  } catch {
    return { id: null };
  }
}
