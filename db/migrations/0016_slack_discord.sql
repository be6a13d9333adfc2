ALTER TYPE "public"."channel_kind" ADD VALUE 'slack';--> statement-breakpoint
ALTER TYPE "public"."channel_kind" ADD VALUE 'discord';--> statement-breakpoint
ALTER TYPE "public"."channel_platform" ADD VALUE 'slack';--> statement-breakpoint
ALTER TYPE "public"."channel_platform" ADD VALUE 'discord';