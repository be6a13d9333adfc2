import { sql } from 'drizzle-orm';
import { apiKeys } from '../../../db/schema';
import type { Database, KV } from '../../ports';

/**
 * API key usage (request counts and last use, shown in Settings) is counted in KV, not with an
 * UPDATE per request: a row update on every authenticated call cost more than the rest of a
 * cached authentication. Uses are counted per key in time buckets; the first use of a key in a
 * bucket lists the key in the bucket's index (a KV stream), so the flush finds the used keys
 * without scanning every key. The sweep (every few minutes) adds closed buckets to the database
 * in one statement; reading a key's usage adds the buckets not flushed yet, so Settings is exact
 * whenever it is read.
 *
 * The flush of a bucket is claimed once (KV INCR); a flush that dies between its claim and its
 * UPDATE loses that bucket's counts rather than counting them twice.
 */
export const USAGE_BUCKET_SECONDS = 300;
const BUCKET_MS = USAGE_BUCKET_SECONDS * 1000;
/** Buckets outlive the longest look-back below, so a late flush still finds them. */
const BUCKET_TTL_SECONDS = 2 * 86_400;
/** How far back a flush or a read looks when the sweep was down: a day. */
const MAX_BUCKETS_BEHIND = 288;
/** ...and when nothing was ever flushed (a new KV): the sweep runs every few minutes, an hour is plenty. */
const FIRST_LOOK_BACK_BUCKETS = 12;
/**
 * A bucket is flushed once the next one has closed too: a request counted at the end of a bucket
 * may still be adding the key to the bucket's index when the bucket closes.
 */
const GRACE_BUCKETS = 1;
const INDEX_MAX_ENTRIES = 1_000_000;
const INDEX_PAGE = 1000;

const bucketAt = (ms: number) => Math.floor(ms / BUCKET_MS);
const usesKey = (bucket: number, keyId: string) => `api-key-uses:${bucket}:${keyId}`;
const indexKey = (bucket: number) => `api-key-uses:${bucket}:index`;
const claimKey = (bucket: number) => `api-key-uses:${bucket}:claim`;
const FLUSHED_THROUGH_KEY = 'api-key-uses:flushed-through';

/** Counts one accepted request of the key; at the edge the INCR shares the rate limit's round trip when started with it. */
export async function countApiKeyUse(kv: KV, keyId: string, now = Date.now()): Promise<void> {
  const bucket = bucketAt(now);
  const uses = await kv.incr(usesKey(bucket, keyId), { ttlSeconds: BUCKET_TTL_SECONDS });
  if (uses === 1) await kv.streamAppend(indexKey(bucket), keyId, { maxLen: INDEX_MAX_ENTRIES, ttlSeconds: BUCKET_TTL_SECONDS });
}

/** The first bucket not yet in the database. */
async function firstUnflushedBucket(kv: KV, current: number): Promise<number> {
  const flushed = await kv.get<number>(FLUSHED_THROUGH_KEY);
  return typeof flushed === 'number' ? Math.max(flushed + 1, current - MAX_BUCKETS_BEHIND) : current - FIRST_LOOK_BACK_BUCKETS;
}

export interface PendingUsage {
  requests: number;
  /** Start of the latest bucket the key was used in. */
  lastUsedAt: Date | null;
}

/** Uses of these keys counted in KV and not yet in the database. */
export async function pendingApiKeyUsage(kv: KV, keyIds: string[], now = Date.now()): Promise<Map<string, PendingUsage>> {
  const pending = new Map<string, PendingUsage>();
  if (keyIds.length === 0) return pending;
  const current = bucketAt(now);
  const from = await firstUnflushedBucket(kv, current);
  const buckets: number[] = [];
  for (let bucket = from; bucket <= current; bucket++) buckets.push(bucket);
  const names = keyIds.flatMap((id) => buckets.map((bucket) => usesKey(bucket, id)));
  const counts = await kv.getMany(names);
  keyIds.forEach((id, k) => {
    let requests = 0;
    let lastBucket: number | null = null;
    buckets.forEach((bucket, b) => {
      const n = Number(counts[k * buckets.length + b] ?? 0) || 0;
      requests += n;
      if (n > 0) lastBucket = bucket;
    });
    if (requests > 0) pending.set(id, { requests, lastUsedAt: lastBucket === null ? null : new Date(lastBucket * BUCKET_MS) });
  });
  return pending;
}

/** Every key listed in a bucket's index. */
async function keysUsedIn(kv: KV, bucket: number): Promise<string[]> {
  const ids = new Set<string>();
  let after = '0-0';
  for (;;) {
    const entries = await kv.streamRead(indexKey(bucket), after, INDEX_PAGE);
    for (const entry of entries) ids.add(entry.data);
    if (entries.length < INDEX_PAGE) return [...ids];
    after = entries.at(-1)!.id;
  }
}

/** Adds one closed bucket's counts to the keys' rows, in one statement. */
async function flushBucket(db: Database, kv: KV, bucket: number): Promise<number> {
  const ids = await keysUsedIn(kv, bucket);
  if (ids.length === 0) return 0;
  const counts = await kv.getMany(ids.map((id) => usesKey(bucket, id)));
  const rows = ids.map((id, i) => ({ id, n: Number(counts[i] ?? 0) || 0 })).filter((row) => row.n > 0);
  if (rows.length === 0) return 0;
  const usedAt = new Date(bucket * BUCKET_MS).toISOString();
  const values = sql.join(
    rows.map((row) => sql`(${row.id}::uuid, ${row.n}::integer)`),
    sql`, `,
  );
  await db.execute(sql`
    update ${apiKeys} set
      request_count = ${apiKeys.requestCount} + v.n,
      last_used_at = greatest(${apiKeys.lastUsedAt}, ${usedAt}::timestamptz)
    from (values ${values}) as v(id, n)
    where ${apiKeys.id} = v.id`);
  return rows.reduce((sum, row) => sum + row.n, 0);
}

/**
 * Moves the closed buckets' counts into the database (the sweep job; `everything` at shutdown,
 * when no request can still be counted). Returns how many requests were flushed.
 */
export async function flushApiKeyUsage(services: { db: Database; kv: KV }, options: { now?: number; everything?: boolean } = {}): Promise<number> {
  const { db, kv } = services;
  const current = bucketAt(options.now ?? Date.now());
  const last = options.everything ? current : current - 1 - GRACE_BUCKETS;
  let flushed = 0;
  for (let bucket = await firstUnflushedBucket(kv, current); bucket <= last; bucket++) {
    // Two sweeps at once (a redelivered job) must not add a bucket twice.
    if ((await kv.incr(claimKey(bucket), { ttlSeconds: BUCKET_TTL_SECONDS })) === 1) flushed += await flushBucket(db, kv, bucket);
    await kv.set(FLUSHED_THROUGH_KEY, bucket);
  }
  return flushed;
}
