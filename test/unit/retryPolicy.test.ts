import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  classifyFailure,
  isRetryableStatus,
  networkPhaseOf,
  parseRetryAfter,
  resolveThrottlePolicy,
  type FailureInfo,
} from '../../src/graph/retryPolicy.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    [{ 'retry-after': '5' }, 5000],
    [{ 'Retry-After': '0' }, 0],
    [{ 'retry-after': '1.5' }, 1500],
    [{ 'retry-after': ' 2 ' }, 2000],
    [{ 'retry-after': 'Wed, 01 May 2024 12:00:30 GMT' }, 30_000],
    [{ 'retry-after': 'Wed, 01 May 2024 11:59:00 GMT' }, 0],
    [{ 'retry-after': 'soon' }, undefined],
    [{ 'retry-after': '-5' }, undefined],
    [{ 'retry-after': '12abc' }, undefined],
    [{ 'retry-after': '' }, undefined],
    [{}, undefined],
    [{ 'retry-after': ['7', '9'] }, 7000],
    [{ 'retry-after': '30', 'retry-after-ms': '250' }, 250],
    [{ 'retry-after': '30', 'x-ms-retry-after-ms': '1200' }, 1200],
    [{ 'retry-after-ms': '100', 'x-ms-retry-after-ms': '900' }, 100],
    [{ 'retry-after-ms': 'bad', 'retry-after': '3' }, 3000],
    [{ 'retry-after-ms': '-1', 'retry-after': '3' }, 3000],
  ] as const)('%j → %s', (headers, expected) => {
    expect(parseRetryAfter(headers as Record<string, string | string[]>, NOW)).toBe(expected);
  });

  it('reads a Headers-like object', () => {
    expect(parseRetryAfter(new Headers({ 'Retry-After': '4' }), NOW)).toBe(4000);
    expect(parseRetryAfter(new Headers(), NOW)).toBeUndefined();
  });
});

describe('isRetryableStatus', () => {
  it.each([
    [429, true],
    [503, true],
    [500, false],
    [502, false],
    [504, false],
    [400, false],
    [404, false],
  ])('%i → %s', (s, r) => expect(isRetryableStatus(s)).toBe(r));
});

describe('classifyFailure', () => {
  const base = { aborted: false, timedOut: false };
  it.each<[string, FailureInfo, string]>([
    ['GET 429', { ...base, method: 'GET', status: 429 }, 'retry'],
    ['POST 429', { ...base, method: 'POST', status: 429 }, 'retry'],
    ['POST 503', { ...base, method: 'POST', status: 503 }, 'retry'],
    ['GET 500', { ...base, method: 'GET', status: 500 }, 'retry'],
    ['GET 502', { ...base, method: 'GET', status: 502 }, 'retry'],
    ['GET 504', { ...base, method: 'GET', status: 504 }, 'retry'],
    ['GET 501', { ...base, method: 'GET', status: 501 }, 'fail'],
    ['POST 500', { ...base, method: 'POST', status: 500 }, 'ambiguous'],
    ['POST 502', { ...base, method: 'POST', status: 502 }, 'ambiguous'],
    ['POST 504', { ...base, method: 'POST', status: 504 }, 'ambiguous'],
    ['POST 501', { ...base, method: 'POST', status: 501 }, 'fail'],
    ['POST 400', { ...base, method: 'POST', status: 400 }, 'fail'],
    ['POST 401', { ...base, method: 'POST', status: 401 }, 'fail'],
    ['POST 403', { ...base, method: 'POST', status: 403 }, 'fail'],
    ['GET 404', { ...base, method: 'GET', status: 404 }, 'fail'],
    ['POST 409', { ...base, method: 'POST', status: 409 }, 'fail'],
    ['GET connect', { ...base, method: 'GET', networkPhase: 'connect' }, 'retry'],
    ['POST connect', { ...base, method: 'POST', networkPhase: 'connect' }, 'retry'],
    ['GET reset after send', { ...base, method: 'GET', networkPhase: 'afterSend' }, 'retry'],
    ['POST reset after send', { ...base, method: 'POST', networkPhase: 'afterSend' }, 'ambiguous'],
    ['GET deadline', { ...base, method: 'GET', timedOut: true, networkPhase: 'afterSend' }, 'retry'],
    ['POST deadline', { ...base, method: 'POST', timedOut: true, networkPhase: 'afterSend' }, 'ambiguous'],
    ['POST deadline, phase unknown', { ...base, method: 'POST', timedOut: true }, 'ambiguous'],
    ['GET aborted', { ...base, method: 'GET', aborted: true }, 'fail'],
    ['POST aborted in flight', { ...base, method: 'POST', aborted: true, networkPhase: 'afterSend' }, 'ambiguous'],
    ['POST aborted before send', { ...base, method: 'POST', aborted: true, networkPhase: 'connect' }, 'fail'],
  ])('%s → %s', (_name, info, expected) => {
    expect(classifyFailure(info)).toBe(expected);
  });

  it.each([
    ['ECONNREFUSED', 'connect'],
    ['ENOTFOUND', 'connect'],
    ['EAI_AGAIN', 'connect'],
    ['UND_ERR_CONNECT_TIMEOUT', 'connect'],
    ['ECONNRESET', 'afterSend'],
    ['UND_ERR_SOCKET', 'afterSend'],
    ['UND_ERR_HEADERS_TIMEOUT', 'afterSend'],
    [undefined, 'afterSend'],
  ])('error code %s happens %s', (code, phase) => {
    expect(networkPhaseOf(code)).toBe(phase);
  });
});

describe('backoffDelayMs', () => {
  it('grows exponentially and stays within [step/10, step]', () => {
    const opts = { baseMs: 1000, maxMs: 60_000 };
    expect(backoffDelayMs(1, opts, () => 1)).toBe(1000);
    expect(backoffDelayMs(2, opts, () => 1)).toBe(2000);
    expect(backoffDelayMs(3, opts, () => 1)).toBe(4000);
    expect(backoffDelayMs(1, opts, () => 0)).toBe(100);
    expect(backoffDelayMs(3, opts, () => 0)).toBe(400);
    for (let a = 1; a <= 10; a++) {
      for (const r of [0, 0.25, 0.5, 0.999, 1]) {
        const d = backoffDelayMs(a, opts, () => r);
        const step = Math.min(60_000, 1000 * 2 ** (a - 1));
        expect(d).toBeGreaterThanOrEqual(step / 10);
        expect(d).toBeLessThanOrEqual(step);
      }
    }
  });

  it('is capped by maxMs, even for huge attempts and bad random values', () => {
    expect(backoffDelayMs(50, { baseMs: 1000, maxMs: 5000 }, () => 1)).toBe(5000);
    expect(backoffDelayMs(1000, { maxMs: 5000 }, () => 7)).toBe(5000);
    expect(backoffDelayMs(2, { baseMs: 1000, maxMs: 5000 }, () => -3)).toBe(200);
  });

  it('defaults the base to 1 s', () => {
    expect(backoffDelayMs(1, { maxMs: 60_000 }, () => 1)).toBe(1000);
  });
});

describe('resolveThrottlePolicy', () => {
  it('fills defaults and ignores invalid values', () => {
    expect(resolveThrottlePolicy()).toEqual({ maxAttempts: 4, maxTotalWaitMs: 60_000, baseDelayMs: 1000 });
    expect(resolveThrottlePolicy({ maxAttempts: 0, maxTotalWaitMs: -1, baseDelayMs: NaN })).toEqual({
      maxAttempts: 4,
      maxTotalWaitMs: 60_000,
      baseDelayMs: 1000,
    });
    expect(resolveThrottlePolicy({ maxAttempts: 2 }).maxAttempts).toBe(2);
  });
});
