ALTER TABLE "bots" ALTER COLUMN "model" SET DEFAULT 'builtin:extractive';--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "feedback" smallint;--> statement-breakpoint
ALTER TABLE "bots" DROP COLUMN "provider";