ALTER TYPE "public"."channel_kind" ADD VALUE 'email';--> statement-breakpoint
ALTER TYPE "public"."channel_platform" ADD VALUE 'email';--> statement-breakpoint
CREATE INDEX "channels_account_idx" ON "channels" USING btree ("external_account_id");