// The failing network a soak runs against: throttling with and without Retry-After, 5xx (one as an HTML gateway
// page), resets before and after Graph applied the request, slow, stalled and truncated answers. Faults hit the retry
// POST or any GET, so both the never-re-POST rule and the GET retry path are exercised.
import type { FaultSpec } from '../../src/simulator/index.js';

const RETRY = /^\/beta\/deviceManagement\/virtualEndpoint\/bulkActions\/[^/]+\/retry$/;

/** Each fault kind with its weight; `slowMs` must exceed the server's per-attempt deadline for 'slow past deadline'. */
export function faultMix(slowMs: number): { name: string; weight: number; spec: FaultSpec }[] {
  return [
    // Clean refusals: Graph did not process these, and the server must not say it might have.
    { name: '429 Retry-After over the wait budget', weight: 1, spec: { kind: 'status', status: 429, headers: { 'Retry-After': '120' } } },
    { name: '503 on every attempt', weight: 1, spec: { kind: 'status', status: 503, headers: { 'Retry-After': '0' }, times: 4 } },
    { name: '403', weight: 1, spec: { kind: 'status', status: 403 } },
    { name: '400', weight: 1, spec: { kind: 'status', status: 400 } },
    { name: '429 Retry-After 0', weight: 4, spec: { kind: 'status', status: 429, headers: { 'Retry-After': '0' } } },
    { name: '429 retry-after-ms 20', weight: 2, spec: { kind: 'status', status: 429, headers: { 'retry-after-ms': '20' } } },
    { name: '429 no Retry-After', weight: 1, spec: { kind: 'status', status: 429 } },
    { name: '503 Retry-After 0', weight: 2, spec: { kind: 'status', status: 503, headers: { 'Retry-After': '0' } } },
    { name: '503 no Retry-After', weight: 1, spec: { kind: 'status', status: 503 } },
    { name: '500', weight: 2, spec: { kind: 'status', status: 500 } },
    {
      name: '502 HTML',
      weight: 2,
      spec: {
        kind: 'status',
        status: 502,
        headers: { 'content-type': 'text/html' },
        body: '<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>',
      },
    },
    { name: '504', weight: 1, spec: { kind: 'status', status: 504 } },
    { name: 'reset before applying', weight: 2, spec: { kind: 'reset' } },
    { name: 'reset after applying', weight: 2, spec: { kind: 'reset', applyFirst: true } },
    { name: 'slow but in time', weight: 2, spec: { kind: 'delay', ms: 30 } },
    { name: 'slow past deadline', weight: 1, spec: { kind: 'delay', ms: slowMs } },
    { name: 'slow past deadline after applying', weight: 1, spec: { kind: 'delay', ms: slowMs, applyFirst: true } },
    { name: 'stall', weight: 1, spec: { kind: 'stall' } },
    { name: 'stall after applying', weight: 1, spec: { kind: 'stall', applyFirst: true } },
    { name: 'truncated body', weight: 1, spec: { kind: 'truncate' } },
    { name: 'truncated after applying', weight: 1, spec: { kind: 'truncate', applyFirst: true } },
  ];
}

/** Picks one fault with `random`, aimed at the retry POST or at any GET. */
export function pickFault(random: () => number, slowMs: number): { name: string; spec: FaultSpec } {
  const mix = faultMix(slowMs);
  const total = mix.reduce((s, f) => s + f.weight, 0);
  let r = random() * total;
  const f = mix.find((x) => (r -= x.weight) < 0) ?? mix[0]!;
  const onRetry = random() < 0.6;
  const match = onRetry ? { method: 'POST' as const, path: RETRY } : { method: 'GET' as const };
  return { name: `${f.name} on ${onRetry ? 'retry POST' : 'GET'}`, spec: { times: 1, ...f.spec, match } };
}

/** The mix of calls and faults is the same from run to run (their interleaving is not). */
export { seededRandom } from '../../src/simulator/random.js';
