// The docker compose example of several replicas (examples/replicas), read and checked here because no container
// daemon runs the tests: every replica's environment is a configuration the server accepts, with Redis shared and the
// public URL the balancer's; the balancer spreads requests over every replica, without affinity; readiness is probed.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/config.js';
import { SETTINGS } from '../../src/config/settings.js';
import { ROOT } from '../e2e/harness.js';

const DIR = path.join(ROOT, 'examples/replicas');
const compose = parse(readFileSync(path.join(DIR, 'compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, any> };
const nginx = readFileSync(path.join(DIR, 'nginx.conf'), 'utf8');
const replicas = Object.entries(compose.services).filter(([, s]) => s.build);

/** Compose's ${VAR} and ${VAR:-default}, with the values an operator would export. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (_m, name: string, def?: string) => vars[name] ?? def ?? '');
}

const OPERATOR = {
  AZURE_TENANT_ID: '7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b',
  AZURE_CLIENT_ID: '3a8e6c1d-2b4f-4e70-9c8d-1e2f3a4b5c6d',
  AZURE_CLIENT_SECRET: 'secret',
  REDIS_PASSWORD: 'p4ss',
};

describe('examples/replicas/compose.yaml', () => {
  it('has two replicas of the server built from this repository, Redis and a balancer', () => {
    expect(replicas.map(([name]) => name)).toEqual(['cloudpc-mcp-1', 'cloudpc-mcp-2']);
    for (const [, s] of replicas) expect(path.resolve(DIR, s.build)).toBe(ROOT);
    expect(compose.services.redis.image).toMatch(/^redis:/);
    expect(compose.services.redis.command).toEqual(expect.arrayContaining(['--requirepass', '--save', '', '--appendonly', 'no']));
    expect(compose.services.balancer.volumes.join()).toContain('./nginx.conf');
  });

  it("every replica's environment is a remote-mode configuration the server accepts, all sharing one Redis and the balancer's URL", () => {
    const known = new Set(SETTINGS.map((s) => s.env));
    const stores = new Set<string>();
    for (const [name, s] of replicas) {
      const env = Object.fromEntries(
        Object.entries(s.environment as Record<string, string>).map(([k, v]) => [k, interpolate(String(v), OPERATOR)]),
      );
      expect(
        Object.keys(env).filter((k) => !known.has(k)),
        name,
      ).toEqual([]);
      // The image's own settings (Dockerfile ENV): all interfaces, port 8080.
      const r = loadConfig([], { ...env, CLOUDPC_MCP_TRANSPORT: 'http', CLOUDPC_MCP_HOST: '0.0.0.0', CLOUDPC_MCP_PORT: '8080' });
      expect(r.ok ? [] : r.problems, name).toEqual([]);
      if (!r.ok) continue;
      expect(r.config.store.redis).toMatchObject({ where: 'redis:6379', auth: 'password', prefix: 'cloudpc-mcp:' });
      expect(r.config.http.publicUrl).toBe('https://cloudpc-mcp.contoso.com');
      expect(r.config.http.limits.trustedProxyHops).toBe(1);
      stores.add(r.config.store.redis!.url);
      expect(s.healthcheck.test.join(' ')).toContain('/readyz');
      expect(s.depends_on.redis.condition).toBe('service_healthy');
    }
    expect(stores.size).toBe(1);
    expect([...stores][0]).toBe(`redis://:${OPERATOR.REDIS_PASSWORD}@redis:6379`);
  });

  it('the balancer sends requests round robin to every replica, keeps the Host, adds X-Forwarded-For and streams answers', () => {
    const upstream = /upstream\s+(\w+)\s*\{([^}]*)\}/.exec(nginx)!;
    const servers = [...upstream[2]!.matchAll(/server\s+([\w.-]+):(\d+)/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(servers).toEqual(replicas.map(([name]) => `${name}:8080`));
    expect(upstream[2]).not.toMatch(/ip_hash|hash |sticky/);
    expect(nginx).toContain(`proxy_pass http://${upstream[1]};`);
    expect(nginx).toMatch(/proxy_set_header Host \$host;/);
    expect(nginx).toMatch(/X-Forwarded-For \$proxy_add_x_forwarded_for/);
    expect(nginx).toMatch(/proxy_buffering off;/);
  });
});

describe('docs', () => {
  const remote = readFileSync(path.join(ROOT, 'docs/remote.md'), 'utf8');
  const approval = readFileSync(path.join(ROOT, 'docs/approval.md'), 'utf8');
  it('point at the example and no longer ask for sticky sessions or one replica', () => {
    expect(remote).toContain('](../examples/replicas/compose.yaml)');
    expect(remote).toMatch(/## Several replicas/);
    expect(`${remote}\n${approval}`).not.toMatch(/enable\s+session affinity|must reach \*\*the same replica\*\*|plans are per replica/i);
  });
});
