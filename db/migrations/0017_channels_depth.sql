ALTER TABLE "contacts" ADD COLUMN "merged_into_id" uuid;--> statement-breakpoint
CREATE INDEX "contacts_merged_into_idx" ON "contacts" USING btree ("merged_into_id") WHERE merged_into_id is not null;--> statement-breakpoint
-- Hand-written: conversations a past race duplicated are resolved (the newest stays open), so the unique index can be built.
UPDATE "conversations" SET "status" = 'resolved', "resolved_at" = coalesce("resolved_at", now())
WHERE "id" IN (
  SELECT "id" FROM (
    SELECT "id", row_number() OVER (PARTITION BY "contact_id", "channel_id", "bot_id" ORDER BY "created_at" DESC) AS "rn"
    FROM "conversations" WHERE "channel_id" IS NOT NULL AND "status" IN ('open', 'pending')
  ) "d" WHERE "rn" > 1
);--> statement-breakpoint
CREATE UNIQUE INDEX "conversations_one_open_per_channel_key" ON "conversations" USING btree ("contact_id","channel_id","bot_id") WHERE channel_id is not null and status in ('open', 'pending');