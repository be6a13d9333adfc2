/**
 * Naming shared by ingestion (writes vectors) and retrieval (reads them): one vector namespace
 * per knowledge base, which is Pinecone's unit of isolation and deletion, and vector ids that
 * say which chunk they belong to so a document's vectors can be deleted by id.
 */
export function namespaceFor(knowledgeBaseId: string, generation = 0): string {
  // Generation 0 keeps the name every vector had before model switches existed.
  return !generation ? `kb_${knowledgeBaseId}` : `kb_${knowledgeBaseId}_g${generation}`;
}

/** The namespace search reads for a knowledge base: its current model's. */
export function currentNamespace(kb: { id: string; vectorGeneration: number }): string {
  return namespaceFor(kb.id, kb.vectorGeneration);
}

/** Every namespace that may hold a knowledge base's vectors: the current one and a running switch's. */
export function liveNamespaces(kb: { id: string; vectorGeneration: number; pendingEmbeddingModel: string | null }): string[] {
  const current = currentNamespace(kb);
  return kb.pendingEmbeddingModel ? [current, namespaceFor(kb.id, kb.vectorGeneration + 1)] : [current];
}

export function vectorId(documentId: string, position: number): string {
  return `${documentId}#${position}`;
}

/** The chunk a vector id points at, or null for an id this code did not write. */
export function parseVectorId(id: string): { documentId: string; position: number } | null {
  const hash = id.lastIndexOf('#');
  if (hash <= 0) return null;
  const position = Number(id.slice(hash + 1));
  if (!Number.isSafeInteger(position) || position < 0 || id.slice(hash + 1) === '') return null;
  return { documentId: id.slice(0, hash), position };
}
