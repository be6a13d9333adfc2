ALTER TABLE "daily_metrics" ALTER COLUMN "first_response_ms_sum" SET DATA TYPE double precision;--> statement-breakpoint
ALTER TABLE "daily_metrics" ALTER COLUMN "bot_response_ms_sum" SET DATA TYPE double precision;--> statement-breakpoint
ALTER TABLE "daily_metrics" ALTER COLUMN "human_response_ms_sum" SET DATA TYPE double precision;--> statement-breakpoint
ALTER TABLE "daily_metrics" ALTER COLUMN "first_token_ms_sum" SET DATA TYPE double precision;--> statement-breakpoint
ALTER TABLE "daily_metrics" ALTER COLUMN "cost_usd" SET DATA TYPE double precision;