// A Graph stand-in that answers every request after a fixed delay (it forwards to the simulator behind it) and counts
// round trips as the depth of dependent request waves: a request that arrives before any answer went out is in wave 1;
// one that arrives after answers of wave n went out is in wave n + 1. With a fixed delay, requests sent together arrive
// together, so the depth is what an admin waits for on a real tenant (100–300 ms a round trip), whatever the machine.
// Used by the bench (bench/roundTrips.mjs) and by tests that assert round trips structurally.
import http from 'node:http';

/**
 * @param {string} target the simulator's URL (http://127.0.0.1:port)
 * @param {number} delayMs how long every answer takes
 * @returns {Promise<{ url: string, waves(): number, requests(): { method: string, path: string, wave: number }[], reset(): void, close(): Promise<void> }>}
 */
export async function waveStandIn(target, delayMs) {
  let deepestAnswered = 0;
  let log = [];
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const wave = deepestAnswered + 1;
      const entry = { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0], wave };
      if (!entry.path.startsWith('/_simulator')) log.push(entry);
      const body = Buffer.concat(chunks);
      setTimeout(() => {
        const out = http.request(
          new URL(req.url ?? '/', target),
          { method: req.method, headers: { ...req.headers, host: new URL(target).host }, agent },
          (answer) => {
            const parts = [];
            answer.on('data', (c) => parts.push(c));
            answer.on('end', () => {
              if (!entry.path.startsWith('/_simulator')) deepestAnswered = Math.max(deepestAnswered, wave);
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              res.end(Buffer.concat(parts));
            });
          },
        );
        out.on('error', () => {
          res.writeHead(502);
          res.end();
        });
        out.end(body);
      }, delayMs);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${port}`,
    waves: () => log.reduce((m, r) => Math.max(m, r.wave), 0),
    requests: () => [...log],
    reset() {
      log = [];
      deepestAnswered = 0;
    },
    close: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}
