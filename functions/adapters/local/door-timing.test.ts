import { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { formatRefusalTimes, noteAccepted, noteRefusal, recordRefusalTimes, refusalTimes } from './door-timing';

describe('door timing: how fast the server itself refused', () => {
  afterEach(() => recordRefusalTimes(false));

  it('counts each refusal from its arrival and from its connection, and starts a new window on reset', () => {
    recordRefusalTimes(true);
    refusalTimes({ reset: true });
    const socket = new Socket();
    noteAccepted(socket);
    const arrived = performance.now();
    noteRefusal(socket, arrived);
    // A socket the server never saw accepted (tests that inject requests) counts from arrival.
    noteRefusal(new Socket(), arrived);
    const times = refusalTimes({ reset: true });
    expect(times.count).toBe(2);
    expect(times.sinceAccept.maxMs).toBeGreaterThanOrEqual(times.decide.maxMs);
    expect(times.decide.p50Ms).toBeGreaterThanOrEqual(0);
    expect(formatRefusalTimes(times)).toContain('server-side refusal time (2)');
    expect(refusalTimes().count).toBe(0);
    expect(formatRefusalTimes(refusalTimes())).toBe('server-side refusal time: no refusals');
  });

  it('keeps nothing unless a benchmark is attached, and drops what it kept when it detaches', () => {
    const socket = new Socket();
    noteAccepted(socket);
    noteRefusal(socket, performance.now());
    expect(refusalTimes().count).toBe(0);

    recordRefusalTimes(true);
    noteRefusal(socket, performance.now());
    expect(refusalTimes().count).toBe(1);
    recordRefusalTimes(false);
    expect(refusalTimes().count).toBe(0);
  });
});
