import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { GateStats } from './priority';
import { recordRefusalTimes, refusalTimes, type RefusalTimes } from './door-timing';

/**
 * How long the event loop was blocked: on the local runtime one thread serves every request (and
 * runs PGlite too when LOCAL_DATABASE_THREAD=caller), so a single long task (a parser, a
 * JSON.stringify of a million rows, a statement on that thread) delays every request queued behind it. Wall-clock latencies on a shared machine mix that
 * with other processes' load; the loop's own delay histogram measures the cause directly.
 */
export interface LoopDelayStats {
  /** The longest single block since the last reset. */
  maxMs: number;
  p99Ms: number;
  p50Ms: number;
  meanMs: number;
}

export interface LoopMonitor {
  /** The delays since the last read (or start); `reset` starts a new window. */
  read(options?: { reset?: boolean }): LoopDelayStats;
  stop(): void;
}

const NS_PER_MS = 1e6;
/** Sampling period: a block shorter than this can go unseen, one longer is measured to about this. */
const RESOLUTION_MS = 5;

export function startLoopMonitor(): LoopMonitor {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  // The histogram counts the sampling period itself as delay; what blocked is the excess.
  const blocked = (ns: number) => Math.max(0, ns / NS_PER_MS - RESOLUTION_MS);
  return {
    read({ reset = false } = {}) {
      const stats: LoopDelayStats =
        histogram.count === 0
          ? { maxMs: 0, p99Ms: 0, p50Ms: 0, meanMs: 0 }
          : {
              maxMs: blocked(histogram.max),
              p99Ms: blocked(histogram.percentile(99)),
              p50Ms: blocked(histogram.percentile(50)),
              meanMs: blocked(histogram.mean),
            };
      if (reset) histogram.reset();
      return stats;
    },
    stop: () => histogram.disable(),
  };
}

/** What a benchmark sends the server over its IPC channel, and what the server answers. */
export type LoopStatsRequest = { type: 'loop-stats'; id: number; reset: boolean };
export type LoopStatsReply = { type: 'loop-stats'; id: number; stats: LoopDelayStats; gate?: GateStats; refusals?: RefusalTimes };

/** Set by the benchmark that spawns the server (scripts/bench-server.ts). */
export const LOOP_STATS_IPC_ENV = 'VERSAAI_LOOP_STATS_IPC';

/**
 * When a benchmark spawned the process with an IPC channel and asked for it, answers
 * `loop-stats` requests with the event-loop delays since the previous one. Otherwise (how users
 * run it, and inside a test runner's worker, whose IPC channel is the runner's own and must not
 * be unref'd or answered) nothing is started.
 */
export function serveLoopStatsOverIpc(gateStats?: () => GateStats | undefined): (() => void) | undefined {
  if (process.env[LOOP_STATS_IPC_ENV] !== '1' || !process.send || !process.channel) return undefined;
  const monitor = startLoopMonitor();
  const onMessage = (message: unknown) => {
    const request = message as Partial<LoopStatsRequest> | null;
    if (request?.type !== 'loop-stats' || typeof request.id !== 'number') return;
    const reset = request.reset !== false;
    const reply: LoopStatsReply = { type: 'loop-stats', id: request.id, stats: monitor.read({ reset }), gate: gateStats?.(), refusals: refusalTimes({ reset }) };
    process.send?.(reply);
  };
  process.on('message', onMessage);
  recordRefusalTimes(true);
  // The channel must not keep a server that was asked to stop alive.
  process.channel.unref();
  return () => {
    process.off('message', onMessage);
    recordRefusalTimes(false);
    monitor.stop();
  };
}

export function formatLoopDelay(stats: LoopDelayStats): string {
  return `event-loop blocking: max ${stats.maxMs.toFixed(1)} ms, p99 ${stats.p99Ms.toFixed(1)} ms, p50 ${stats.p50Ms.toFixed(1)} ms (goal: no task over ~20 ms)`;
}

/** The database gate's window: how long requests waited for the connection, and what held it. */
export function formatGateStats(stats: GateStats | undefined): string {
  if (!stats) return 'database gate: no figures';
  const longest = stats.longest.map((s) => `    ${s.ms.toFixed(0)} ms  ${s.text}`).join('\n');
  return (
    `database gate: ${stats.statements.toLocaleString('en')} statements (${stats.requestStatements.toLocaleString('en')} from requests), ` +
    `longest request wait ${stats.maxRequestWaitMs.toFixed(1)} ms, longest hold ${stats.maxHoldMs.toFixed(1)} ms${longest ? `; longest holds:\n${longest}` : ''}`
  );
}
