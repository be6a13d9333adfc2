import { randomToken } from '../lib/crypto';
import { signMailgun } from '../core/channels/email/mailgun';
import { parseMime } from '../core/channels/email/mime';

/**
 * What Mailgun POSTs for an inbound route's `forward()`: a multipart/form-data body with the
 * parsed mail's fields, its attachments as files, and `timestamp`/`token`/`signature` signed
 * with the account's webhook signing key, built byte for byte (tests, bench:channels and
 * `npm run dev:email` use it).
 */
export interface MailgunFile {
  field: string;
  filename: string;
  type: string;
  bytes: Uint8Array;
}

export interface MailgunDelivery {
  body: Uint8Array;
  contentType: string;
  token: string;
  timestamp: string;
}

const encoder = new TextEncoder();

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

export function multipartBody(fields: Array<[string, string]>, files: MailgunFile[], boundary = `----mailgun${randomToken(12)}`) {
  const parts: Uint8Array[] = [];
  for (const [name, value] of fields) {
    parts.push(encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const file of files) {
    parts.push(encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`));
    parts.push(file.bytes, encoder.encode('\r\n'));
  }
  parts.push(encoder.encode(`--${boundary}--\r\n`));
  return { body: concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

export async function signedMailgunDelivery(
  signingKey: string,
  fields: Record<string, string>,
  files: MailgunFile[] = [],
  options: { timestamp?: number; token?: string; signature?: string } = {},
): Promise<MailgunDelivery> {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const token = options.token ?? randomToken(25);
  const signature = options.signature ?? (await signMailgun(signingKey, timestamp, token));
  const { body, contentType } = multipartBody([...Object.entries(fields), ['timestamp', timestamp], ['token', token], ['signature', signature]], files);
  return { body, contentType, token, timestamp };
}

/** The fields and files Mailgun would post for a raw mail (its parse, redone with postal-mime). */
export async function mailgunFieldsFromMime(raw: string | Uint8Array, recipient: string): Promise<{ fields: Record<string, string>; files: MailgunFile[] }> {
  const bytes = typeof raw === 'string' ? encoder.encode(raw) : raw;
  const email = await parseMime(bytes, recipient);
  if (!email) throw new Error('the fixture has no sender');
  const fields: Record<string, string> = {
    recipient,
    sender: email.from.address,
    from: email.from.name ? `${email.from.name} <${email.from.address}>` : email.from.address,
    subject: email.subject,
    'body-plain': email.text ?? '',
    ...(email.html ? { 'body-html': email.html } : {}),
    'attachment-count': String(email.attachments.length),
    'message-headers': JSON.stringify(Object.entries(email.headers).map(([k, v]) => [k, v])),
    ...(email.messageId ? { 'Message-Id': `<${email.messageId}>` } : {}),
    ...(email.inReplyTo ? { 'In-Reply-To': `<${email.inReplyTo}>` } : {}),
    ...(email.references.length ? { References: email.references.map((r) => `<${r}>`).join(' ') } : {}),
  };
  const files: MailgunFile[] = [];
  const cids: Record<string, string> = {};
  for (const [i, attachment] of email.attachments.entries()) {
    const field = `attachment-${i + 1}`;
    files.push({ field, filename: attachment.filename ?? `file-${i + 1}`, type: attachment.mimeType ?? 'application/octet-stream', bytes: await attachment.read() });
    if (attachment.inline && attachment.contentId) cids[`<${attachment.contentId}>`] = field;
  }
  if (Object.keys(cids).length) fields['content-id-map'] = JSON.stringify(cids);
  return { fields, files };
}
