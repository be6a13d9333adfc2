import PostalMime, { type Email } from 'postal-mime';
import { messageIds, type ParsedEmail } from './message';

/**
 * A raw RFC 5322 mail (Cloudflare Email Routing's `message.raw`, a fixture, the local simulator)
 * parsed with postal-mime into the shape every inbound path stores. Only the ingestion worker and
 * Node code import this: the MIME parser stays out of the request worker's bundle.
 */
function mailboxOf(address: Email['from']): { address: string; name: string | null } | null {
  if (!address) return null;
  const box = address.address ? address : address.group?.[0];
  if (!box?.address || box.address.length > 254) return null;
  return { address: box.address.toLowerCase(), name: box.name ? box.name.slice(0, 200) : null };
}

const bytesOf = (content: ArrayBuffer | Uint8Array | string) =>
  typeof content === 'string' ? new TextEncoder().encode(content) : content instanceof Uint8Array ? content : new Uint8Array(content);

export async function parseMime(raw: ArrayBuffer | Uint8Array | ReadableStream<Uint8Array>, envelopeTo?: string): Promise<ParsedEmail | null> {
  const email = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer', maxNestingDepth: 50, maxPartCount: 500 });
  const from = mailboxOf(email.from) ?? mailboxOf(email.sender);
  if (!from) return null;
  const headers: Record<string, string> = {};
  for (const header of email.headers.slice(0, 500)) headers[header.key.toLowerCase()] ??= header.value.slice(0, 8000);
  const to = (email.to ?? []).flatMap((a) => (a.address ? [a.address.toLowerCase()] : (a.group ?? []).map((g) => g.address.toLowerCase())));
  return {
    messageId: messageIds(email.messageId)[0] ?? null,
    from,
    to: envelopeTo ? [envelopeTo.toLowerCase(), ...to.filter((a) => a !== envelopeTo.toLowerCase())] : to,
    subject: email.subject ?? '',
    text: email.text ?? null,
    html: email.html ?? null,
    inReplyTo: messageIds(email.inReplyTo)[0] ?? null,
    references: messageIds(email.references),
    headers,
    attachments: email.attachments.slice(0, 50).map((attachment) => {
      const bytes = bytesOf(attachment.content);
      return {
        filename: attachment.filename,
        mimeType: attachment.mimeType || null,
        size: bytes.byteLength,
        inline: attachment.disposition === 'inline' || Boolean(attachment.related),
        contentId: attachment.contentId ? attachment.contentId.replace(/^<|>$/g, '') : null,
        read: async () => bytes,
      };
    }),
  };
}
