import type { MailAttachment, Mailer } from '../../ports';

/** Resend takes files as base64 `content` (https://resend.com/docs/api-reference/emails/send-email). */
function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

const resendAttachment = (file: MailAttachment) => ({ filename: file.filename, content: base64(file.content), content_type: file.contentType });

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
          ...(message.attachments?.length ? { attachments: message.attachments.map(resendAttachment) } : {}),
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
