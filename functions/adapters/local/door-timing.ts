import type { Socket } from 'node:net';
import { percentile } from '../../lib/percentile';

/**
 * The server's own account of how fast it refused (429/503): a client's figure adds the
 * kernel, the client's event loop and a loaded machine's scheduling. Two spans per refusal:
 * from the request's arrival in JavaScript (headers parsed) to the answer written, which is the
 * time spent deciding; and from the connection's accept, which adds the loop turns the request
 * waited before its headers were read.
 *
 * Benchmark instrumentation only: nothing is stamped or kept until a benchmark attaches
 * (`recordRefusalTimes`, from loop-monitor.ts's IPC channel), so the server users run pays one
 * boolean test per connection and per refusal.
 */
export interface RefusalTimes {
  count: number;
  decide: Percentiles;
  sinceAccept: Percentiles;
}

export interface Percentiles {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Kept per window; a benchmark reads (and resets) the window every few seconds to a minute. */
const MAX_SAMPLES = 100_000;

let recording = false;
let acceptedAt = new WeakMap<Socket, number>();
let decide: number[] = [];
let sinceAccept: number[] = [];

/** Starts (a benchmark attached) or stops recording; stopping drops what was kept. */
export function recordRefusalTimes(on: boolean) {
  recording = on;
  if (!on) {
    acceptedAt = new WeakMap();
    decide = [];
    sinceAccept = [];
  }
}

/** Notes when the server accepted `socket` (its 'connection' event), while recording. */
export function noteAccepted(socket: Socket) {
  if (recording) acceptedAt.set(socket, performance.now());
}

/** Notes one refusal answered now, for a request whose headers were parsed at `arrivedAt`, while recording. */
export function noteRefusal(socket: Socket, arrivedAt: number) {
  if (!recording || decide.length >= MAX_SAMPLES) return;
  const now = performance.now();
  decide.push(now - arrivedAt);
  sinceAccept.push(now - (acceptedAt.get(socket) ?? arrivedAt));
}

/** The window's refusals; `reset` starts a new window. */
export function refusalTimes({ reset = false } = {}): RefusalTimes {
  const times = { count: decide.length, decide: percentiles(decide), sinceAccept: percentiles(sinceAccept) };
  if (reset) {
    decide = [];
    sinceAccept = [];
  }
  return times;
}

function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { p50Ms: 0, p99Ms: 0, maxMs: 0 };
  return { p50Ms: percentile(values, 0.5), p99Ms: percentile(values, 0.99), maxMs: percentile(values, 1) };
}

export function formatRefusalTimes(times: RefusalTimes | undefined): string {
  if (!times || times.count === 0) return 'server-side refusal time: no refusals';
  const span = (p: Percentiles) => `p50 ${p.p50Ms.toFixed(1)} ms, p99 ${p.p99Ms.toFixed(1)} ms, max ${p.maxMs.toFixed(1)} ms`;
  return `server-side refusal time (${times.count}): headers parsed -> answer written ${span(times.decide)}; connection accepted -> answer written ${span(times.sinceAccept)}`;
}
