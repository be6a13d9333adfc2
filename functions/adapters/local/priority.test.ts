import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_TEMPLATE_ENV } from './database';
import { openDatabaseThread, type SqlClient } from './database-thread';
import { findMigrationsFolder } from './pglite-open';
import { inBackground, prioritizeRequests, PULSE_FRESH_MS, PULSE_STUCK_MS, type Gate, type GateOptions } from './priority';

/** The gate in front of PGlite on this thread (in-memory test databases), and on its worker thread (a data directory). */
const clients: Array<{ where: string; open: () => Promise<SqlClient>; handOff: GateOptions['handOff'] }> = [
  {
    where: 'on this thread',
    open: async () => {
      const pglite = new PGlite();
      await pglite.waitReady;
      return pglite;
    },
    handOff: 'next-turn',
  },
  {
    where: 'on a worker thread',
    open: () => openDatabaseThread(null, { migrationsFolder: findMigrationsFolder(), templatePath: process.env[DATABASE_TEMPLATE_ENV] }),
    handOff: 'at-once',
  },
];

describe.each(clients)('the database gate, PGlite $where', ({ open, handOff }) => {
  let pglite: SqlClient;
  let gate: Gate;
  let clock = 0;
  // One database (starting one costs seconds); each test starts a new window of figures.
  beforeAll(async () => {
    pglite = await open();
    gate = prioritizeRequests(pglite, { now: () => clock, handOff });
  });
  beforeEach(() => {
    gate.stats({ reset: true });
  });
  afterAll(() => pglite.close());

  it('reads as answering right after a statement completes, and quiet once none has for a while', async () => {
    await pglite.query('select 1');
    expect(gate.pulse.read()).toMatchObject({ state: 'answering', pendingMs: 0 });
    clock += PULSE_FRESH_MS + 1;
    expect(gate.pulse.read()).toMatchObject({ state: 'quiet', pendingMs: 0 });
  });

  it('reads as stuck when a transaction holds the connection and nothing completes', async () => {
    await pglite.query('select 1');
    let finish!: () => void;
    const held = new Promise<void>((resolve) => (finish = resolve));
    const transaction = pglite.transaction(async (tx) => {
      await tx.query('select 1');
      await held;
    });
    // Queued behind the transaction.
    const waiting = pglite.query('select 2');
    await new Promise((resolve) => setImmediate(resolve));
    clock += PULSE_STUCK_MS + 1;
    const stuck = gate.pulse.read();
    expect(stuck.state).toBe('stuck');
    expect(stuck.pendingMs).toBeGreaterThan(PULSE_STUCK_MS);
    finish();
    await transaction;
    await waiting;
    expect(gate.pulse.read().state).toBe('answering');
  });

  it('reads a long transaction whose statements keep completing as answering, not quiet', async () => {
    await pglite.query('select 1');
    const step = () => {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      return { promise, resolve };
    };
    const [started, mayQuery, queried, mayFinish] = [step(), step(), step(), step()];
    const transaction = pglite.transaction(async (tx) => {
      started.resolve();
      await mayQuery.promise;
      await tx.query('select 2');
      queried.resolve();
      await mayFinish.promise;
    });
    await started.promise;
    clock += PULSE_FRESH_MS + 1;
    expect(gate.pulse.read().state).toBe('quiet');
    mayQuery.resolve();
    await queried.promise;
    clock += 10;
    // Still inside the transaction: its own statement just completed.
    expect(gate.pulse.read().state).toBe('answering');
    mayFinish.resolve();
    await transaction;
  });

  it('names a transaction among the longest holds by its longest statement', async () => {
    await pglite.transaction(async (tx) => {
      await tx.query('select 1');
      await tx.query('select count(*) from generate_series(1, 300000)');
      await tx.query('select 2');
    });
    expect(gate.stats().longest[0].text).toBe('(transaction; longest: select count(*) from generate_series(1, 300000))');
  });

  it('does not read a long wait as stuck while statements keep completing', async () => {
    // A background statement queued long ago, behind requests that keep completing.
    const { release, blocker } = await holdConnection(pglite);
    const background = inBackground(() => pglite.query('select 1'));
    await new Promise((resolve) => setImmediate(resolve));
    clock += PULSE_STUCK_MS + 1;
    release();
    await blocker;
    // The transaction just completed: the background statement has waited long, but the connection moves.
    expect(gate.pulse.read().state).toBe('answering');
    await background;
  });

  it('counts request statements, their longest wait and the longest holds', async () => {
    await pglite.query('select 1');
    await inBackground(() => pglite.exec('select 2'));
    const stats = gate.stats({ reset: true });
    expect(stats).toMatchObject({ statements: 2, requestStatements: 1 });
    expect(stats.longest.map((s) => s.text).sort()).toEqual(['select 1', 'select 2']);
    expect(gate.stats().statements).toBe(0);
  });

  it('tells how long the oldest waiting request statement has waited, and 0 when none waits', async () => {
    const { release, blocker } = await holdConnection(pglite);
    const background = inBackground(() => pglite.query('select 1'));
    await new Promise((resolve) => setImmediate(resolve));
    clock += 300;
    // Background work waiting does not count: only requests wait for an answer.
    expect(gate.requestWaitMs()).toBe(0);
    const request = pglite.query('select 2');
    clock += 200;
    const later = pglite.query('select 3');
    clock += 50;
    expect(gate.requestWaitMs()).toBe(250);
    release();
    await Promise.all([blocker, background, request, later]);
    expect(gate.requestWaitMs()).toBe(0);
  });

  it('hands the connection to a waiting request before a waiting background statement', async () => {
    const order: string[] = [];
    const { release, blocker } = await holdConnection(pglite);
    const background = inBackground(() => pglite.query('select 1').then(() => order.push('background')));
    const request = pglite.query('select 2').then(() => order.push('request'));
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await Promise.all([blocker, background, request]);
    expect(order).toEqual(['request', 'background']);
  });
});

/**
 * A transaction that holds the connection until released, once its callback runs (on a worker
 * thread, only after its BEGIN has crossed and come back).
 */
async function holdConnection(pglite: SqlClient) {
  let release!: () => void;
  let began!: () => void;
  const started = new Promise<void>((resolve) => (began = resolve));
  const blocker = pglite.transaction(() => {
    began();
    return new Promise<void>((resolve) => (release = resolve));
  });
  await started;
  return { release: () => release(), blocker };
}
