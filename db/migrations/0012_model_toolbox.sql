ALTER TYPE "public"."model_provider" ADD VALUE 'gemini';--> statement-breakpoint
ALTER TYPE "public"."model_provider" ADD VALUE 'mistral';--> statement-breakpoint
ALTER TYPE "public"."model_provider" ADD VALUE 'together';--> statement-breakpoint
ALTER TYPE "public"."model_provider" ADD VALUE 'openrouter';--> statement-breakpoint
ALTER TYPE "public"."model_provider" ADD VALUE 'deepseek';--> statement-breakpoint
ALTER TYPE "public"."model_provider" ADD VALUE 'ollama';--> statement-breakpoint
ALTER TYPE "public"."model_provider" ADD VALUE 'lmstudio';--> statement-breakpoint
CREATE TABLE "bot_models" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"bot_id" uuid NOT NULL,
	"provider" varchar(32) NOT NULL,
	"model_id" varchar(100) NOT NULL,
	"task_type" varchar(64) DEFAULT 'general' NOT NULL,
	"cost_input_per_1m" real,
	"cost_output_per_1m" real,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "bots" ADD COLUMN "routing" jsonb DEFAULT '{"mode":"rules","rules":[]}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "bot_models" ADD CONSTRAINT "bot_models_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bot_models" ADD CONSTRAINT "bot_models_bot_id_bots_id_fk" FOREIGN KEY ("bot_id") REFERENCES "public"."bots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "bot_models_bot_task_model_key" ON "bot_models" USING btree ("bot_id","task_type","provider","model_id");