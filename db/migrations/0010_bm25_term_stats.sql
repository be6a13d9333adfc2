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
ALTER TABLE "knowledge_base_text_stats" ADD CONSTRAINT "knowledge_base_text_stats_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- BM25 term statistics follow `chunks` inside the statement's own transaction (statement-level
-- triggers with transition tables: one aggregate per INSERT/DELETE, not one per row). Lexemes are
-- upserted in key order so two concurrent ingestions lock shared rows in the same order.
CREATE FUNCTION "chunks_text_stats_add"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "knowledge_base_text_stats" AS s ("knowledge_base_id", "organization_id", "chunk_count", "total_length")
  SELECT "knowledge_base_id", "organization_id", count(*), coalesce(sum(length("search_vector")), 0)
  FROM "changed_chunks" GROUP BY "knowledge_base_id", "organization_id"
  ON CONFLICT ("knowledge_base_id") DO UPDATE
    SET "chunk_count" = s."chunk_count" + EXCLUDED."chunk_count", "total_length" = s."total_length" + EXCLUDED."total_length";
  INSERT INTO "knowledge_base_terms" AS t ("knowledge_base_id", "organization_id", "lexeme", "chunk_count")
  SELECT c."knowledge_base_id", c."organization_id", u.lexeme, count(*)
  FROM "changed_chunks" c CROSS JOIN LATERAL unnest(c."search_vector") u
  GROUP BY c."knowledge_base_id", c."organization_id", u.lexeme
  ORDER BY c."knowledge_base_id", u.lexeme
  ON CONFLICT ("knowledge_base_id", "lexeme") DO UPDATE SET "chunk_count" = t."chunk_count" + EXCLUDED."chunk_count";
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION "chunks_text_stats_remove"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Only UPDATE here: when a whole knowledge base is deleted its statistics rows go by cascade,
  -- and nothing must re-create them.
  UPDATE "knowledge_base_text_stats" s
  SET "chunk_count" = s."chunk_count" - d.n, "total_length" = greatest(s."total_length" - d.len, 0)
  FROM (SELECT "knowledge_base_id", count(*) AS n, coalesce(sum(length("search_vector")), 0) AS len
        FROM "changed_chunks" GROUP BY "knowledge_base_id") d
  WHERE s."knowledge_base_id" = d."knowledge_base_id";
  UPDATE "knowledge_base_terms" t SET "chunk_count" = t."chunk_count" - gone.n
  FROM (
    SELECT c."knowledge_base_id", u.lexeme, count(*) AS n
    FROM "changed_chunks" c CROSS JOIN LATERAL unnest(c."search_vector") u
    GROUP BY c."knowledge_base_id", u.lexeme
  ) gone
  WHERE t."knowledge_base_id" = gone."knowledge_base_id" AND t."lexeme" = gone.lexeme;
  DELETE FROM "knowledge_base_terms" t
  WHERE t."chunk_count" <= 0 AND t."knowledge_base_id" IN (SELECT DISTINCT "knowledge_base_id" FROM "changed_chunks");
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "chunks_text_stats_insert" AFTER INSERT ON "chunks"
  REFERENCING NEW TABLE AS "changed_chunks" FOR EACH STATEMENT EXECUTE FUNCTION "chunks_text_stats_add"();
--> statement-breakpoint
CREATE TRIGGER "chunks_text_stats_delete" AFTER DELETE ON "chunks"
  REFERENCING OLD TABLE AS "changed_chunks" FOR EACH STATEMENT EXECUTE FUNCTION "chunks_text_stats_remove"();
--> statement-breakpoint
-- Content is rewritten by delete + insert in the pipeline; a direct UPDATE of `content` (rare) is
-- counted as the removal of the old row and the addition of the new one.
CREATE FUNCTION "chunks_text_stats_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "knowledge_base_text_stats" s SET "total_length" = greatest(s."total_length" - length(OLD."search_vector") + length(NEW."search_vector"), 0)
  WHERE s."knowledge_base_id" = NEW."knowledge_base_id";
  UPDATE "knowledge_base_terms" t SET "chunk_count" = t."chunk_count" - 1
  WHERE t."knowledge_base_id" = OLD."knowledge_base_id" AND t."lexeme" = ANY(tsvector_to_array(OLD."search_vector"));
  DELETE FROM "knowledge_base_terms" t WHERE t."knowledge_base_id" = OLD."knowledge_base_id" AND t."chunk_count" <= 0
    AND t."lexeme" = ANY(tsvector_to_array(OLD."search_vector"));
  INSERT INTO "knowledge_base_terms" AS t ("knowledge_base_id", "organization_id", "lexeme", "chunk_count")
  SELECT NEW."knowledge_base_id", NEW."organization_id", lexeme, 1 FROM unnest(tsvector_to_array(NEW."search_vector")) AS lexeme ORDER BY lexeme
  ON CONFLICT ("knowledge_base_id", "lexeme") DO UPDATE SET "chunk_count" = t."chunk_count" + 1;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "chunks_text_stats_update" AFTER UPDATE OF "content" ON "chunks"
  FOR EACH ROW WHEN (OLD."content" IS DISTINCT FROM NEW."content") EXECUTE FUNCTION "chunks_text_stats_update"();
--> statement-breakpoint
-- Statistics of the chunks that exist before this migration.
INSERT INTO "knowledge_base_text_stats" ("knowledge_base_id", "organization_id", "chunk_count", "total_length")
SELECT "knowledge_base_id", "organization_id", count(*), coalesce(sum(length("search_vector")), 0)
FROM "chunks" GROUP BY "knowledge_base_id", "organization_id";
--> statement-breakpoint
INSERT INTO "knowledge_base_terms" ("knowledge_base_id", "organization_id", "lexeme", "chunk_count")
SELECT c."knowledge_base_id", c."organization_id", u.lexeme, count(*)
FROM "chunks" c CROSS JOIN LATERAL unnest(c."search_vector") u
GROUP BY c."knowledge_base_id", c."organization_id", u.lexeme;
