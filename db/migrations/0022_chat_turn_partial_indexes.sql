DROP INDEX "messages_channel_external_key";--> statement-breakpoint
DROP INDEX "messages_reply_to_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "messages_channel_external_key" ON "messages" USING btree ("organization_id","channel","external_id") WHERE external_id is not null;--> statement-breakpoint
CREATE INDEX "messages_reply_to_idx" ON "messages" USING btree ("reply_to_id") WHERE reply_to_id is not null;--> statement-breakpoint
-- Hand-written (core/chat/store.ts storeUserTurn): what answering a visitor message reads beside
-- storing it (the recent history, the last bot or agent reply, and for a bot with a flow the
-- flow position and the contact's name), as one PL/pgSQL function. Its queries are planned once
-- per database session and reused, where the same subqueries inlined in the chat turn's statement
-- were planned on every message (their planning was about a quarter of that statement's time on
-- PGlite). STABLE: it reads the calling statement's snapshot, so the message that statement
-- inserts is not part of its own history.
CREATE OR REPLACE FUNCTION chat_turn_context(conversation uuid, memory integer, with_flow boolean) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
  context json;
BEGIN
  SELECT json_build_object(
    'history', (SELECT coalesce(json_agg(json_build_object('role', h.role, 'content', h.content) ORDER BY h.created_at), '[]'::json)
      FROM (SELECT role, content, created_at FROM messages
            WHERE conversation_id = conversation AND role IN ('user', 'assistant', 'agent')
            ORDER BY created_at DESC LIMIT memory) h),
    'lastReply', (SELECT json_build_object('role', r.role, 'metadata', r.metadata) FROM messages r
      WHERE r.conversation_id = conversation AND r.role IN ('assistant', 'agent')
      ORDER BY r.created_at DESC LIMIT 1),
    'flowState', CASE WHEN with_flow THEN (SELECT s.state FROM flow_sessions s WHERE s.conversation_id = conversation) END,
    'contactName', CASE WHEN with_flow THEN (SELECT ct.name FROM contacts ct JOIN conversations v ON v.contact_id = ct.id WHERE v.id = conversation) END
  ) INTO context;
  RETURN context;
END
$$;
