/**
 * The Resource Graph client's own loop, driven with a scripted page sender and an injected
 * clock (no network, no sleeping): pages followed by $skipToken to the end, the user quota
 * waited out, 429 and 5xx retried after Retry-After or a backoff, no wait past the deadline,
 * and Ctrl-C or SIGTERM ending a wait with their own exit codes. The same client runs against
 * the emulator through the built CLI in test/e2e/fleet-*.test.ts.
 */
import { describe, expect, test } from '@jest/globals';
import { ExitCode, InterruptedError, TimeoutError, CliError } from '../../src/core/errors.js';
import { StopRequest } from '../../src/core/interrupt.js';
import { GraphError, ResourceGraph, type GraphPage, type SendPage } from '../../src/azure/graph.js';
import { fakeClock, NOW } from '../status/fixtures.js';

type Step = GraphPage | GraphError | Error;

/** A sender that answers with `steps` in order, recording the token each request asked for. */
function scripted(steps: Step[]): { send: SendPage; tokens: (string | undefined)[] } {
  const tokens: (string | undefined)[] = [];
  const send: SendPage = async (_request, skipToken) => {
    tokens.push(skipToken);
    const step = steps.shift();
    if (!step) throw new Error('no more answers scripted');
    if (step instanceof Error) throw step;
    return step;
  };
  return { send, tokens };
}

const page = (rows: number, skipToken?: string, headers: Record<string, string> = {}): GraphPage => ({
  rows: Array.from({ length: rows }, (_, i) => ({ id: `r${i}` })),
  ...(skipToken ? { skipToken } : {}),
  headers,
});
const refusal = (status: number, headers: Record<string, string> = {}): GraphError => new GraphError(status, status === 429 ? 'RateLimiting' : 'ServerError', { code: 'X', message: 'no' }, headers);
const connectionReset = (): Error => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

describe('Resource Graph client', () => {
  test('follows $skipToken until a page comes without one', async () => {
    const { send, tokens } = scripted([page(1000, 't1'), page(1000, 't2'), page(5)]);
    const graph = new ResourceGraph(send);
    const rows = await graph.query({ query: 'Resources' }, { clock: fakeClock(), deadline: NOW + 60_000 });
    expect(rows).toHaveLength(2005);
    expect(tokens).toEqual([undefined, 't1', 't2']);
    expect(graph.requests).toBe(3);
  });

  test('a spent quota is waited out before the next page, by its resets-after header', async () => {
    const clock = fakeClock();
    const { send } = scripted([page(1000, 't1', { 'x-ms-user-quota-remaining': '0', 'x-ms-user-quota-resets-after': '00:00:03' }), page(1)]);
    await new ResourceGraph(send).query({ query: 'Resources' }, { clock, deadline: NOW + 60_000 });
    expect(clock.sleeps).toEqual([3000]);
  });

  test('429 and 503 are tried again after Retry-After; a dropped connection after a backoff', async () => {
    const clock = fakeClock();
    const { send, tokens } = scripted([refusal(429, { 'retry-after': '2' }), refusal(503, { 'retry-after': '1' }), connectionReset(), page(3)]);
    const rows = await new ResourceGraph(send).query({ query: 'Resources' }, { clock, deadline: NOW + 60_000 });
    expect(rows).toHaveLength(3);
    expect(tokens).toEqual([undefined, undefined, undefined, undefined]);
    expect(clock.sleeps.slice(0, 2)).toEqual([2000, 1000]);
    // The ARM client's backoff before a fourth attempt: 4 s, jittered by a fifth either way.
    expect(clock.sleeps[2]).toBeGreaterThanOrEqual(3200);
    expect(clock.sleeps[2]).toBeLessThanOrEqual(4800);
  });

  test('an answer that is not retried is reported at once: 400 with the reason, 403 as not authorised', async () => {
    const bad = scripted([new GraphError(400, 'BadRequest', { code: 'BadRequest', message: 'Query is invalid' }, {})]);
    await expect(new ResourceGraph(bad.send).query({ query: 'x' }, { clock: fakeClock(), deadline: NOW + 60_000 })).rejects.toThrow(/refused the query: .*Query is invalid/);
    const denied = scripted([refusal(403)]);
    await expect(new ResourceGraph(denied.send).query({ query: 'x' }, { clock: fakeClock(), deadline: NOW + 60_000 })).rejects.toMatchObject({ exitCode: ExitCode.auth });
  });

  test('retries end: after the last attempt the error stands', async () => {
    const { send } = scripted(Array.from({ length: 6 }, () => refusal(500)));
    const err = await new ResourceGraph(send).query({ query: 'x' }, { clock: fakeClock(), deadline: NOW + 10 * 60_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as Error).message).toMatch(/answered 500/);
  });

  test('no wait outlives the deadline: a Retry-After or a quota reset past it is a timeout at once', async () => {
    const clock = fakeClock();
    const late = scripted([refusal(503, { 'retry-after': '3600' })]);
    await expect(new ResourceGraph(late.send).query({ query: 'x' }, { clock, deadline: NOW + 30_000 })).rejects.toBeInstanceOf(TimeoutError);
    const quota = scripted([page(1000, 't', { 'x-ms-user-quota-remaining': '0', 'x-ms-user-quota-resets-after': '00:05:00' })]);
    await expect(new ResourceGraph(quota.send).query({ query: 'x' }, { clock, deadline: NOW + 30_000 })).rejects.toBeInstanceOf(TimeoutError);
    expect(clock.sleeps).toEqual([]);
  });

  test.each([
    ['SIGINT', ExitCode.interrupted],
    ['SIGTERM', ExitCode.terminated],
  ] as const)('%s during a wait ends it: exit %i', async (signal, code) => {
    const stop = new AbortController();
    const clock = fakeClock();
    const sleep = clock.sleep;
    clock.sleep = async (ms, s) => {
      stop.abort(new StopRequest(signal));
      return sleep(ms, s);
    };
    const { send } = scripted([refusal(503, { 'retry-after': '5' }), page(1)]);
    const err = await new ResourceGraph(send).query({ query: 'x' }, { clock, deadline: NOW + 60_000, signal: stop.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterruptedError);
    expect((err as InterruptedError).exitCode).toBe(code);
  });
});
