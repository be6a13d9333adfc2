import { timingSafeEqual, hmacSha256Hex } from '../../../lib/crypto';
import { messageIds, parseMailbox, type EmailAttachmentInput, type ParsedEmail } from './message';

/**
 * Mailgun inbound routes, `forward("https://…/api/v1/channels/email/<id>")`: Mailgun parses the
 * mail and POSTs it as multipart/form-data. Documented at
 * https://documentation.mailgun.com/docs/mailgun/user-manual/receive-forward-store/ (the fields:
 * `recipient`, `sender`, `from`, `subject`, `body-plain`, `body-html`, `attachment-count`,
 * `attachment-1…N` as files, `content-id-map`, `message-headers`, plus each MIME header such as
 * `Message-Id`, `In-Reply-To`, `References`) and, for the signature,
 * https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks/:
 * `signature` is hex HMAC-SHA256 of `timestamp` + `token` keyed with the account's HTTP webhook
 * signing key. Mailgun advises refusing old timestamps and tokens seen before (replays).
 */
export interface MailgunSignature {
  timestamp: string;
  token: string;
  signature: string;
}

/** The form a delivery's raw bytes hold, or null when they are not one. */
export async function formOf(raw: Uint8Array, contentType: string): Promise<FormData | null> {
  // The bytes are Mailgun's form as received; Response parses multipart and urlencoded alike.
  return new Response(raw as Uint8Array<ArrayBuffer>, { headers: { 'content-type': contentType } }).formData().catch(() => null);
}

export function signatureFields(form: FormData): MailgunSignature | null {
  const [timestamp, token, signature] = ['timestamp', 'token', 'signature'].map((name) => form.get(name));
  if (typeof timestamp !== 'string' || typeof token !== 'string' || typeof signature !== 'string') return null;
  return { timestamp, token, signature };
}

/** Signs the way Mailgun does (tests, the local simulator and the benchmark use it too). */
export async function signMailgun(signingKey: string, timestamp: string, token: string): Promise<string> {
  return hmacSha256Hex(signingKey, timestamp + token);
}

export type SignatureCheck = 'valid' | 'forged' | 'stale';

export async function checkMailgunSignature(signingKey: string, fields: MailgunSignature, nowMs: number, maxAgeSeconds: number): Promise<SignatureCheck> {
  if (!/^\d{1,12}$/.test(fields.timestamp) || fields.token.length < 10 || fields.token.length > 200) return 'forged';
  const expected = await signMailgun(signingKey, fields.timestamp, fields.token);
  if (!timingSafeEqual(expected, fields.signature.toLowerCase())) return 'forged';
  return Math.abs(nowMs / 1000 - Number(fields.timestamp)) > maxAgeSeconds ? 'stale' : 'valid';
}

const text = (form: FormData, ...names: string[]) => {
  for (const name of names) {
    const value = form.get(name);
    if (typeof value === 'string' && value !== '') return value;
  }
  return null;
};

function headerMap(form: FormData): Record<string, string> {
  const headers: Record<string, string> = {};
  const raw = text(form, 'message-headers');
  if (raw) {
    try {
      const pairs = JSON.parse(raw) as unknown;
      if (Array.isArray(pairs)) {
        for (const pair of pairs.slice(0, 500)) {
          if (Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'string') headers[pair[0].toLowerCase()] ??= pair[1].slice(0, 2000);
        }
      }
    } catch {
      // A malformed header list leaves the named fields, which Mailgun also sends.
    }
  }
  for (const name of ['Message-Id', 'In-Reply-To', 'References', 'Auto-Submitted', 'Precedence', 'List-Id', 'X-Autoreply']) {
    const value = text(form, name, name.toLowerCase());
    if (value) headers[name.toLowerCase()] ??= value.slice(0, 8000);
  }
  return headers;
}

/** `{"<cid>": "attachment-1"}`: which attached files the HTML shows inline. */
function contentIds(form: FormData): Map<string, string> {
  const byField = new Map<string, string>();
  try {
    const map = JSON.parse(text(form, 'content-id-map') ?? '{}') as Record<string, unknown>;
    for (const [cid, field] of Object.entries(map)) if (typeof field === 'string') byField.set(field, cid.replace(/^<|>$/g, ''));
  } catch {
    // No inline images then.
  }
  return byField;
}

function attachmentsOf(form: FormData): EmailAttachmentInput[] {
  const inline = contentIds(form);
  const files: EmailAttachmentInput[] = [];
  for (const [field, value] of form.entries()) {
    if (!/^attachment-\d{1,3}$/.test(field) || typeof value === 'string') continue;
    const file = value as File;
    files.push({
      filename: file.name || null,
      mimeType: file.type || null,
      size: file.size,
      inline: inline.has(field),
      contentId: inline.get(field) ?? null,
      read: async () => new Uint8Array(await file.arrayBuffer()),
    });
  }
  return files.slice(0, 50);
}

/** The mail a Mailgun form carries, or null when it names no sender. */
export function parseMailgunForm(form: FormData): ParsedEmail | null {
  const headers = headerMap(form);
  const from = parseMailbox(text(form, 'from', 'From') ?? '') ?? parseMailbox(text(form, 'sender') ?? '');
  if (!from) return null;
  const recipient = text(form, 'recipient');
  return {
    messageId: messageIds(headers['message-id'])[0] ?? null,
    from,
    to: recipient ? recipient.split(',').map((r) => r.trim().toLowerCase()).filter(Boolean) : [],
    subject: text(form, 'subject', 'Subject') ?? '',
    text: text(form, 'body-plain'),
    html: text(form, 'body-html'),
    inReplyTo: messageIds(headers['in-reply-to'])[0] ?? null,
    references: messageIds(headers.references),
    headers,
    attachments: attachmentsOf(form),
  };
}
