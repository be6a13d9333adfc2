import { z } from '@hono/zod-openapi';
import { messageAttachmentSchema } from '../channels/attachments';

/**
 * The shapes of the conversation tables' JSON columns (contacts.attributes, messages.metadata).
 * The tables type them as `Record<string, unknown>`; these list every key the writers (the widget
 * session, the channel parsers, the chat engine, channel sending) put there, so the API can
 * document them and the inbox can read them typed. A new key written anywhere belongs here too.
 */
/**
 * A value a messaging platform sent and we keep verbatim (WhatsApp's location, contact cards,
 * orders, referral…): JSON whose shape is the platform's, not ours.
 */
type PlatformValue = string | number | boolean | null | PlatformValue[] | { [key: string]: PlatformValue };
const PlatformValueSchema: z.ZodType<PlatformValue> = z
  .lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(PlatformValueSchema), z.record(z.string(), PlatformValueSchema)]))
  .openapi('PlatformValue', { description: 'JSON a messaging platform sent, kept as the platform shaped it' });

/** What we know about a contact beyond name, email and phone: pre-chat answers, identity, platform facts. */
export const ContactAttributesSchema = z
  .record(z.string(), z.union([z.string(), z.boolean()]))
  .openapi('ContactAttributes', {
    description:
      'Pre-chat form answers by field key (strings), plus `identityId` and `identityVerified` (widget identity), `chatType`, `username` and `languageCode` (Telegram), `avatarUrl`, `profileName`, `username` and `profileFetchedAt` (Messenger/Instagram profiles)',
  });

export const QuickReplySchema = z.object({ id: z.string(), label: z.string() }).openapi('QuickReply');

/** Channel details a message carries; which keys appear depends on the channel and the content type. */
export const MessageMetadataSchema = z
  .object({
    quickReplies: z.array(QuickReplySchema).optional().openapi({ description: 'Buttons offered under a bot answer' }),
    language: z.string().optional().openapi({ description: 'The language the buttons were offered in' }),
    quickReplyId: z.string().optional().openapi({ description: 'The button the visitor tapped' }),
    modelFailure: z.string().optional().openapi({ description: 'Why the model did not answer (the fallback was sent)' }),
    retrieval: z
      .object({
        query: z.string(),
        rewrite: z.enum(['model', 'borrowed', 'as_typed']),
        rerank: z.enum(['model', 'kept']).optional(),
        inputTokens: z.number(),
        outputTokens: z.number(),
      })
      .optional()
      .openapi({ description: 'How the passages were found when the model helped: the query searched, whether the model rewrote it and reranked, and the tokens that cost' }),
    platformMessageIds: z.array(z.string()).optional().openapi({ description: 'Ids the platform gave the parts we sent' }),
    parts: z.number().optional().openapi({ description: 'How many platform messages a long reply was split into' }),
    flowParts: z
      .array(z.string())
      .optional()
      .openapi({ description: 'A flow turn\u2019s messages in order (the content joins them): channels send each as its own message, the buttons under the last' }),
    edited: z.boolean().optional(),
    editedAt: z.string().optional(),
    edits: z.array(z.object({ content: z.string(), until: z.string() })).optional().openapi({ description: 'Earlier texts of an edited message' }),
    rawType: z.string().optional().openapi({ description: 'The platform\u2019s own message type' }),
    timestamp: PlatformValueSchema.optional(),
    media: z.record(z.string(), PlatformValueSchema).optional().openapi({ description: 'Media ids, mime type, file name, caption, size…' }),
    attachments: z
      .array(messageAttachmentSchema)
      .optional()
      .openapi({ description: 'Files the message carries (images, audio, video, documents, stickers); the bytes are served by the attachment route' }),
    platformAttachments: z.array(z.record(z.string(), PlatformValueSchema)).optional().openapi({ description: 'Messenger/Instagram attachments as the platform sent them' }),
    transcript: z.string().optional().openapi({ description: 'What an audio message says, when a transcription model is configured' }),
    location: z.record(z.string(), PlatformValueSchema).optional(),
    contacts: z.array(PlatformValueSchema).optional(),
    command: z.string().optional(),
    args: z.string().optional(),
    callbackQueryId: z.string().optional(),
    data: PlatformValueSchema.optional(),
    messageId: PlatformValueSchema.optional(),
    telegramMessageId: z.number().optional(),
    date: z.number().optional(),
    editDate: z.number().optional(),
    numEdit: z.number().optional(),
    group: z.boolean().optional(),
    from: z.record(z.string(), PlatformValueSchema).optional().openapi({ description: 'Who wrote it, in a group chat' }),
    replyTo: PlatformValueSchema.optional(),
    quickReply: z.record(z.string(), PlatformValueSchema).optional(),
    postback: z.record(z.string(), PlatformValueSchema).optional(),
    reaction: z.record(z.string(), PlatformValueSchema).optional(),
    interactive: z.record(z.string(), PlatformValueSchema).optional(),
    button: z.record(z.string(), PlatformValueSchema).optional(),
    order: PlatformValueSchema.optional(),
    system: PlatformValueSchema.optional(),
    errors: PlatformValueSchema.optional(),
    context: PlatformValueSchema.optional(),
    referral: PlatformValueSchema.optional(),
    reactions: z
      .array(z.object({ emoji: z.string(), from: z.string(), at: z.string() }))
      .optional()
      .openapi({ description: 'The customer’s reactions on this message (one per person; a removed one is gone)' }),
    template: z
      .object({
        name: z.string(),
        language: z.object({ code: z.string() }),
        components: z.array(z.object({ type: z.string(), parameters: z.array(z.object({ type: z.string(), text: z.string(), parameter_name: z.string().optional() })) })),
      })
      .optional()
      .openapi({ description: 'A WhatsApp template message as sent to Meta (`contentType: template`)' }),
  })
  .openapi('MessageMetadata');

export type ContactAttributes = z.infer<typeof ContactAttributesSchema>;
export type MessageMetadata = z.infer<typeof MessageMetadataSchema>;
