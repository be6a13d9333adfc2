import { SignJWT } from 'jose';
import { ApiError } from '../../lib/errors';
import { hmacSha256Hex } from '../../lib/crypto';
import { verifyHs256 } from '../../lib/jwt';

/**
 * A widget visitor's session: a signed token naming the bot, the contact and the conversation.
 * The browser keeps it in localStorage and sends it as a Bearer token; nothing to look up.
 */
export interface WidgetSession {
  botId: string;
  contactId: string;
  conversationId: string;
}

const encoder = new TextEncoder();
const TTL = '30d';

export function signWidgetSession(session: WidgetSession, secret: string): Promise<string> {
  return new SignJWT({ typ: 'widget', bot: session.botId, conv: session.conversationId })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(session.contactId)
    .setIssuer('versaai')
    .setIssuedAt()
    .setExpirationTime(TTL)
    .sign(encoder.encode(secret));
}

export async function verifyWidgetSession(token: string, botId: string, secret: string): Promise<WidgetSession> {
  try {
    const payload = await verifyHs256(token, secret, 'versaai');
    if (payload.typ !== 'widget' || payload.bot !== botId || typeof payload.sub !== 'string' || typeof payload.conv !== 'string') {
      throw new Error('wrong token');
    }
    return { botId, contactId: payload.sub, conversationId: payload.conv };
  } catch {
    throw new ApiError('invalid_token', 'The chat session is not valid or has expired; start a new one');
  }
}

/** hex(HMAC-SHA256(secret, visitorId)), what the customer's server computes for identify(). */
export async function identityHash(secret: string, visitorId: string): Promise<string> {
  return hmacSha256Hex(secret, visitorId);
}
