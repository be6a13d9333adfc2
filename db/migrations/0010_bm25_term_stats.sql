CREATE TABLE "knowledge_base_terms" (
	"knowledge_base_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"lexeme" text NOT NULL,
	"chunk_count" integer NOT NULL,
	CONSTRAINT "knowledge_base_terms_knowledge_base_id_lexeme_pk" PRIMARY KEY("knowledge_base_id","lexeme")
);
--> statement-breakpoint
CREATE TABLE "knowledge_base_text_stats" (
	"knowledge_base_id" uuid PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"chunk_count" integer DEFAULT 0 NOT NULL,
	"total_length" double precision DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "knowledge_base_terms" ADD CONSTRAINT "knowledge_base_terms_knowledge_base_id_knowledge_bases_id_fk" FOREIGN KEY ("knowledge_base_id") REFERENCES "public"."knowledge_bases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_base_terms" ADD CONSTRAINT "knowledge_base_terms_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_base_text_stats" ADD CONSTRAINT "knowledge_base_text_stats_knowledge_base_id_knowledge_bases_id_fk" FOREIGN KEY ("knowledge_base_id") REFERENCES "public"."knowledge_bases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_base_text_stats" ADD CONSTRAINT "knowledge_base_text_stats_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;