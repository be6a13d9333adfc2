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

/**
 * Mailgun's sending side: `POST /v3/{domain}/messages`, basic auth `api:<key>`, a multipart form
 * (`from`, `to`, `subject`, `text`, `h:*` headers, repeated `attachment` files), parsed the way
 * Mailgun parses it and answered `{ id, message: "Queued. Thank you." }`. A wrong key gets 401
 * "Forbidden", as Mailgun answers it.
 */
export interface MailgunSentFile {
  filename: string;
  type: string;
  bytes: Uint8Array;
}

export interface MailgunSentMessage {
  domain: string;
  fields: Record<string, string>;
  attachments: MailgunSentFile[];
}

export interface FakeMailgunApi {
  url: string;
  sent: MailgunSentMessage[];
  /** The next `count` sends answer this status (a Mailgun outage, a refusal). */
  failNext(status: number, count?: number): void;
  close(): Promise<void>;
}

export async function startFakeMailgunApi(apiKey: string): Promise<FakeMailgunApi> {
  const { createServer } = await import('node:http');
  const sent: MailgunSentMessage[] = [];
  let failures: { status: number; count: number } = { status: 500, count: 0 };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const route = /^\/v3\/([^/]+)\/messages$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !route) return answer(404, { message: 'Not Found' });
    if (req.headers.authorization !== `Basic ${Buffer.from(`api:${apiKey}`).toString('base64')}`) return answer(401, { message: 'Forbidden' });
    if (failures.count > 0) {
      failures.count--;
      return answer(failures.status, { message: 'Temporary failure' });
    }
    const form = await new Response(Buffer.concat(chunks), { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData().catch(() => null);
    if (!form) return answer(400, { message: "'from' parameter is missing" });
    const message: MailgunSentMessage = { domain: decodeURIComponent(route[1]), fields: {}, attachments: [] };
    for (const [name, value] of form.entries()) {
      if (typeof value === 'string') message.fields[name] = value;
      else if (name === 'attachment') message.attachments.push({ filename: value.name, type: value.type, bytes: new Uint8Array(await value.arrayBuffer()) });
    }
    if (!message.fields.from || !message.fields.to) return answer(400, { message: "'from' and 'to' are required" });
    sent.push(message);
    answer(200, { id: `<${Date.now()}.${sent.length}@${message.domain}>`, message: 'Queued. Thank you.' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    failNext(status, count = 1) {
      failures = { status, count };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
