ALTER TABLE "chunks" ADD COLUMN "vector_generation" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "knowledge_bases" ADD COLUMN "vector_generation" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "knowledge_bases" ADD COLUMN "pending_embedding_model" varchar(100);--> statement-breakpoint
ALTER TABLE "knowledge_bases" ADD COLUMN "pending_embedding_dimension" integer;--> statement-breakpoint
ALTER TABLE "knowledge_bases" ADD COLUMN "reembed_done" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "knowledge_bases" ADD COLUMN "reembed_total" integer DEFAULT 0 NOT NULL;