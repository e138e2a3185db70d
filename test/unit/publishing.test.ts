// What a publisher and a user checking the package's origin meet: package.json's links (npm provenance needs
// repository.url), server.json's repository for the MCP Registry, the container's base image pinned by digest, and the
// CI advisory check saying plainly when it could not check anything.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../e2e/harness.js';
import { npmEnv } from '../support/npm.js';

const run = promisify(execFile);
const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');
const pkg = JSON.parse(read('package.json')) as Record<string, any>;
const serverJson = JSON.parse(read('server.json')) as Record<string, any>;

/** The GitHub repository the registry name io.github.<owner>/<name> claims. */
function repoOfMcpName(name: string): string {
  const m = /^io\.github\.([^/]+)\/(.+)$/.exec(name);
  expect(m, `mcpName ${name} is not io.github.<owner>/<name>`).not.toBeNull();
  return `https://github.com/${m![1]}/${m![2]}`;
}

describe('package.json and server.json name one source repository', () => {
  const repo = repoOfMcpName(pkg.mcpName);

  it('package.json has repository, homepage, bugs and author, all at the repository the registry name claims', () => {
    expect(pkg.repository).toEqual({ type: 'git', url: `git+${repo}.git` });
    expect(pkg.homepage).toBe(`${repo}#readme`);
    expect(pkg.bugs).toEqual({ url: `${repo}/issues` });
    expect(typeof pkg.author === 'string' ? pkg.author : pkg.author?.name).toMatch(/\S/);
  });

  it('server.json names the same repository for the MCP Registry', () => {
    expect(serverJson.repository).toEqual({ url: repo, source: 'github' });
  });
});

describe('Dockerfile', () => {
  it('builds from base images pinned by digest, not by a tag that moves', () => {
    const text = read('Dockerfile');
    const args = new Map([...text.matchAll(/^ARG\s+(\w+)=(\S+)\s*$/gm)].map((m) => [m[1]!, m[2]!]));
    const froms = [...text.matchAll(/^FROM\s+(\S+)/gm)].map((m) =>
      m[1]!.replace(/\$\{(\w+)\}/g, (_, name: string) => args.get(name) ?? ''),
    );
    expect(froms.length).toBeGreaterThan(0);
    for (const image of froms) expect(image).toMatch(/^node:\d+-slim@sha256:[0-9a-f]{64}$/);
  });
});

describe('scripts/audit.mjs (CI advisory check)', () => {
  // A stand-in for the registry on loopback: `answer` decides how it meets npm's bulk advisory request.
  let answer: 'refuse' | 'noAdvisories' = 'refuse';
  let registry: http.Server;
  let url = '';
  beforeAll(async () => {
    registry = http.createServer((req, res) => {
      req.resume();
      if (answer === 'noAdvisories' && req.method === 'POST' && req.url?.startsWith('/-/npm/v1/security/advisories/bulk')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      // What some registry mirrors answer, and what this machine gets from the real registry.
      res.writeHead(405, { 'content-type': 'application/json' }).end('{"error":"Method Not Allowed"}');
    });
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(registry.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => registry.close(() => resolve())));

  const audit = (...args: string[]) =>
    run(process.execPath, ['scripts/audit.mjs', ...args], {
      cwd: ROOT,
      env: npmEnv({ npm_config_registry: url, npm_config_fetch_retries: '0' }),
    }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );

  it('says plainly on stdout that nothing was checked when the advisory service cannot be reached, and goes on', async () => {
    answer = 'refuse';
    const r = await audit();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^npm audit: NOT CHECKED: the advisory service could not be reached \(HTTP 405 .*\), so no dependency was checked/m,
    );
    expect(r.stdout).toContain('--require');
  });

  it('fails with --require when the advisory service cannot be reached', async () => {
    answer = 'refuse';
    const r = await audit('--require');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^npm audit: NOT CHECKED: .*Failing, as --require/m);
  });

  it('reports a clean check as checked when the service answers', async () => {
    answer = 'noAdvisories';
    const r = await audit('--require');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('NOT CHECKED');
    expect(r.stdout).toMatch(/no high or critical advisories in the \d+ shipped packages/);
  });
});
