import type { Mailer } from '../../ports';

export interface HttpMailerOptions {
  /** Origin of a Resend-compatible API, e.g. https://api.resend.com. */
  apiUrl: string;
  apiKey: string;
  from: string;
}

/** Mail through a Resend-compatible HTTP API: `POST /emails` with a bearer key. */
export function createHttpMailer(options: HttpMailerOptions): Mailer {
  const endpoint = `${options.apiUrl.replace(/\/$/, '')}/emails`;
  return {
    async send(message) {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { Authorization: `Bearer ${options.apiKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          from: message.from ?? options.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          ...(message.html ? { html: message.html } : {}),
          ...(message.replyTo ? { reply_to: message.replyTo } : {}),
          ...(message.headers ? { headers: message.headers } : {}),
        }),
      });
      if (!res.ok) {
        const detail = await res.text().catch(() => '');
        throw new Error(`Mail API answered ${res.status} ${res.statusText}: ${detail.slice(0, 300)}`);
      }
      await res.body?.cancel();
    },
  };
}
