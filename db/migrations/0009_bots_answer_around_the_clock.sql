ALTER TABLE "bots" ALTER COLUMN "answer_outside_hours" SET DEFAULT true;--> statement-breakpoint
-- Bots without business hours never saw the old default at work: they take the new one, so adding
-- hours later does not silently turn their assistant off. Bots that already have hours keep what
-- their visitors get today; the hours page now shows that choice and lets the owner change it.
UPDATE "bots" SET "answer_outside_hours" = true
WHERE "answer_outside_hours" = false AND NOT EXISTS (SELECT 1 FROM "schedules" WHERE "schedules"."bot_id" = "bots"."id");
