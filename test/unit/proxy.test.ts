// Which proxy carries a Graph request, read from the environment as curl reads it: HTTPS_PROXY / HTTP_PROXY (lower
// case first), NO_PROXY entries as names, addresses and CIDR ranges, and nothing exempt for being loopback.
import { describe, expect, it } from 'vitest';
import { Agent, ProxyAgent } from 'undici';
import { createGraphAgent, GraphPool, proxyOf } from '../../src/graph/dispatcher.js';
import {
  noProxyMatch,
  parseProxyUrl,
  proxyProblem,
  proxyRoute,
  proxyVariable,
  shownProxy,
  shownProxyValue,
} from '../../src/graph/proxy.js';
import { loadConfig } from '../../src/config/config.js';

describe('NO_PROXY, as curl reads it', () => {
  it.each<[string, string, string | undefined]>([
    ['https://graph.microsoft.com', '', undefined],
    ['https://graph.microsoft.com', '*', '*'],
    ['https://graph.microsoft.com', ' * ', '*'],
    ['https://graph.microsoft.com', 'graph.microsoft.com', 'graph.microsoft.com'],
    ['https://graph.microsoft.com', 'microsoft.com', 'microsoft.com'],
    ['https://graph.microsoft.com', '.microsoft.com', '.microsoft.com'],
    ['https://graph.microsoft.com', 'MICROSOFT.COM.', 'MICROSOFT.COM.'],
    ['https://graph.microsoft.com', 'soft.com', undefined],
    ['https://graph.microsoft.com', 'graph.microsoft.com.evil', undefined],
    ['https://graph.microsoft.com', 'example.com, microsoft.com', 'microsoft.com'],
    ['https://graph.microsoft.com', 'example.com microsoft.com', 'microsoft.com'],
    ['https://graph.microsoft.com', 'example.com,,microsoft.com', 'microsoft.com'],
    ['https://graph.microsoft.com', '*.microsoft.com', undefined],
    ['https://graph.microsoft.com', 'graph.microsoft.com:443', undefined],
    ['https://127.0.0.1:8443', 'localhost', undefined],
    ['https://127.0.0.1:8443', '127.0.0.1', '127.0.0.1'],
    ['https://127.0.0.1:8443', '127.0.0.0/8', '127.0.0.0/8'],
    ['https://10.1.2.3', '10.0.0.0/8', '10.0.0.0/8'],
    ['https://10.1.2.3', '10.0.0.0/16', undefined],
    ['https://10.1.2.3', '10.9.9.9/0', undefined],
    ['https://10.1.2.3', '10.1.2.3/0', '10.1.2.3/0'],
    ['https://10.1.2.3', '10.0.0.0/33', undefined],
    ['https://10.1.2.3', '10.1', undefined],
    ['https://[::1]:8443', '::1', '::1'],
    ['https://[::1]:8443', '[::1]', '[::1]'],
    ['https://[fd00::5]', 'fd00::/8', 'fd00::/8'],
    ['https://[fd00::5]', '127.0.0.1', undefined],
    ['https://localhost:8443', 'localhost', 'localhost'],
  ])('%s with NO_PROXY=%j → %j', (url, noProxy, expected) => {
    expect(noProxyMatch(new URL(url), noProxy)).toBe(expected);
  });
});

describe('the proxy variable that applies', () => {
  it.each<[string, Record<string, string>, string | undefined]>([
    ['https:', {}, undefined],
    ['https:', { HTTPS_PROXY: 'http://a:1' }, 'HTTPS_PROXY'],
    ['https:', { https_proxy: 'http://b:1', HTTPS_PROXY: 'http://a:1' }, 'https_proxy'],
    ['https:', { https_proxy: '  ', HTTPS_PROXY: 'http://a:1' }, 'HTTPS_PROXY'],
    ['https:', { HTTP_PROXY: 'http://c:1' }, 'HTTP_PROXY'],
    ['https:', { http_proxy: 'http://d:1', HTTP_PROXY: 'http://c:1' }, 'http_proxy'],
    ['https:', { HTTPS_PROXY: 'http://a:1', HTTP_PROXY: 'http://c:1' }, 'HTTPS_PROXY'],
    ['http:', { HTTPS_PROXY: 'http://a:1' }, undefined],
    ['http:', { HTTP_PROXY: 'http://c:1' }, 'HTTP_PROXY'],
  ])('%s with %j → %s', (protocol, env, variable) => {
    expect(proxyVariable(protocol, env)?.variable).toBe(variable);
  });
});

describe('proxy URLs', () => {
  it.each<[string, string]>([
    ['http://proxy.corp:3128', 'http://proxy.corp:3128'],
    ['proxy.corp:3128', 'http://proxy.corp:3128'],
    ['http://proxy.corp', 'http://proxy.corp:80'],
    ['https://proxy.corp', 'https://proxy.corp:443'],
    ['http://user:p%40ss@proxy.corp:8080/', 'http://proxy.corp:8080'],
    ['http://[fd00::1]:3128', 'http://[fd00::1]:3128'],
  ])('%s is shown as %s, never with credentials', (value, shown) => {
    const url = parseProxyUrl(value);
    expect(url).toBeInstanceOf(URL);
    expect(shownProxy(url as URL)).toBe(shown);
    expect(shownProxyValue(value)).toBe(shown);
  });

  it.each([
    ['socks5://proxy.corp:1080', /socks5:\/\/, which Graph requests cannot use/],
    ['http://', /not a URL/],
    ['http://exa mple:80', /not a URL/],
  ])('%s is refused: %s', (value, problem) => {
    expect(parseProxyUrl(value)).toMatch(problem);
  });
});

describe('proxyRoute', () => {
  const env = { HTTPS_PROXY: 'http://u:secret@proxy.corp:3128', NO_PROXY: '.internal.example' };
  it('goes through the proxy, named without its credentials', () => {
    const route = proxyRoute('https://graph.microsoft.com', env);
    expect(route).toMatchObject({ kind: 'proxy', shown: 'http://proxy.corp:3128', variable: 'HTTPS_PROXY' });
    expect(route.kind === 'proxy' && route.url.password).toBe('secret');
  });

  it('NO_PROXY entries bypass it', () => {
    expect(proxyRoute('https://graph.internal.example', env)).toEqual({ kind: 'direct', why: 'NO_PROXY lists .internal.example' });
  });

  it('loopback is not exempt unless listed', () => {
    expect(proxyRoute('https://127.0.0.1:8443', env).kind).toBe('proxy');
    expect(proxyRoute('https://localhost:8443', env).kind).toBe('proxy');
  });

  it('a bad value is reported only where it applies, without repeating it', () => {
    const bad = { HTTPS_PROXY: 'socks5://u:hunter2@p:1080', NO_PROXY: 'graph.microsoft.us' };
    expect(proxyProblem('https://graph.microsoft.com', bad)).toEqual({ setting: 'HTTPS_PROXY', message: expect.stringMatching(/socks5/) });
    expect(JSON.stringify(proxyProblem('https://graph.microsoft.com', bad))).not.toContain('hunter2');
    expect(proxyProblem('https://graph.microsoft.us', bad)).toBeUndefined();
  });
});

describe('configuration', () => {
  it('an unusable proxy for the Graph root is a configuration problem; with the simulator it does not matter', () => {
    const r = loadConfig([], { HTTPS_PROXY: 'ftp://proxy:21' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems).toContainEqual({
      setting: 'HTTPS_PROXY',
      message: expect.stringMatching(/ftp:\/\/.*http:\/\/ or https:\/\//),
    });
    expect(loadConfig(['--simulate'], { HTTPS_PROXY: 'ftp://proxy:21' }).ok).toBe(true);
  });
});

describe('GraphPool', () => {
  const env = { HTTPS_PROXY: 'http://proxy.corp:3128', HTTP_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'direct.example' };
  it('routes each origin by the environment, one pool per proxy', async () => {
    const pool = createGraphAgent({ connections: 4, env });
    expect(proxyOf(pool, 'https://graph.microsoft.com')).toMatchObject({ shown: 'http://proxy.corp:3128' });
    expect(proxyOf(pool, 'https://direct.example')).toBeUndefined();
    expect(pool.route('http://127.0.0.1:8080').kind).toBe('proxy');
    await pool.close();
  });

  it("'never' never proxies, whatever the environment says", async () => {
    const pool = new GraphPool({ connections: 4, env, proxy: 'never' });
    expect(pool.route('https://graph.microsoft.com').kind).toBe('direct');
    expect(proxyOf(pool, 'http://127.0.0.1:8080')).toBeUndefined();
    await pool.close();
  });

  it('knows nothing of dispatchers it did not make', async () => {
    const agent = new Agent();
    const proxy = new ProxyAgent('http://proxy.corp:3128');
    expect(proxyOf(agent, 'https://graph.microsoft.com')).toBeUndefined();
    expect(proxyOf(proxy, 'https://graph.microsoft.com')).toBeUndefined();
    await Promise.all([agent.close(), proxy.close()]);
  });
});
