/** What a job handler knows about its delivery. */
export interface JobMeta {
  /** How many times this delivery was already retried (QStash's Upstash-Retried header). */
  retried: number;
}
