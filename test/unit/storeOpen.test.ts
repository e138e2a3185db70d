// Opening the store the settings name: which problem a failed start-up reports (the setting and the fix), and that
// CLOUDPC_MCP_REDIS_AUTH=entra builds @redis/entraid's credentials provider on the server's Azure identity.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import type { RedisConfig } from '../../src/config/store.js';
import { redisClientOptions, startProblem } from '../../src/store/open.js';

const redis = (auth: RedisConfig['auth']): RedisConfig => ({
  url: 'rediss://cache.redis.azure.net:10000',
  auth,
  prefix: 'cloudpc-mcp:',
  where: 'cache.redis.azure.net:10000',
  authority: { host: 'https://login.microsoftonline.com', disableInstanceDiscovery: false },
});
const error = (message: string, name = 'Error') => Object.assign(new Error(message), { name });

describe('startProblem', () => {
  it.each<[string, RedisConfig['auth'], Error, string, RegExp]>([
    [
      'a wrong access key',
      'password',
      error('WRONGPASS invalid username-password pair or user is disabled.'),
      'CLOUDPC_MCP_REDIS_URL',
      /refused the credentials.*access key/,
    ],
    [
      'no password where one is needed',
      'password',
      error('NOAUTH Authentication required.'),
      'CLOUDPC_MCP_REDIS_URL',
      /refused the credentials/,
    ],
    [
      'an Entra token the cache does not accept',
      'entra',
      error('WRONGPASS invalid username-password pair'),
      'CLOUDPC_MCP_REDIS_AUTH (entra)',
      /refused the server's Microsoft Entra token.*data access/,
    ],
    [
      'no Azure identity to get a token with',
      'entra',
      error('DefaultAzureCredential failed to retrieve a token', 'CredentialUnavailableError'),
      'CLOUDPC_MCP_REDIS_AUTH (entra)',
      /could not get a Microsoft Entra token.*managed identity/,
    ],
    [
      'nothing listening',
      'password',
      error('connect ECONNREFUSED 10.0.0.5:10000'),
      'CLOUDPC_MCP_REDIS_URL',
      /could not be reached \(connect ECONNREFUSED.*host and port/,
    ],
    ['an unknown host', 'entra', error('getaddrinfo ENOTFOUND cache.redis.azure.net'), 'CLOUDPC_MCP_REDIS_URL', /could not be reached/],
  ])('%s', (_what, auth, err, setting, message) => {
    const p = startProblem(redis(auth), err);
    expect(p.setting).toBe(setting);
    expect(p.message).toMatch(message);
  });
});

describe('redisClientOptions', () => {
  it('password: the URL as given, no offline queue (nothing decided on a command run later), reconnecting', async () => {
    const o = await redisClientOptions(redis('password'), () => true);
    expect(o).toMatchObject({ url: 'rediss://cache.redis.azure.net:10000', disableOfflineQueue: true });
    expect(o.credentialsProvider).toBeUndefined();
    const strategy = (o.socket as { reconnectStrategy: (n: number, e: Error) => number | Error }).reconnectStrategy;
    expect(strategy(50, new Error('down'))).toBe(2_000);
  });

  it('at start-up, gives up after a few attempts so the problem is reported', async () => {
    const o = await redisClientOptions(redis('password'), () => false);
    const strategy = (o.socket as { reconnectStrategy: (n: number, e: Error) => number | Error }).reconnectStrategy;
    expect(strategy(0, new Error('down'))).toBe(100);
    expect(strategy(3, new Error('down'))).toBeInstanceOf(Error);
  });

  it("entra: @redis/entraid's streaming credentials provider (tokens renewed and re-sent with AUTH)", async () => {
    const o = await redisClientOptions(redis('entra'), () => true);
    expect(o.credentialsProvider?.type).toBe('streaming-credentials-provider');
  });
});

describe('Redis settings', () => {
  const load = (env: Record<string, string>) => loadConfig(['--transport', 'http'], env);
  it('no URL: the store is memory', () => {
    const r = load({});
    expect(r.ok && r.config.store).toEqual({});
  });

  it.each([
    ['rediss://:key@contoso.redis.azure.net:10000', {}, 'contoso.redis.azure.net:10000', 'password'],
    ['redis://127.0.0.1', {}, '127.0.0.1:6379', 'password'],
    ['rediss://contoso.redis.azure.net:10000', { CLOUDPC_MCP_REDIS_AUTH: 'entra' }, 'contoso.redis.azure.net:10000', 'entra'],
  ])('%s', (url, extra, where, auth) => {
    const r = load({ CLOUDPC_MCP_REDIS_URL: url, ...extra });
    expect(r.ok && r.config.store.redis).toMatchObject({ where, auth, prefix: 'cloudpc-mcp:' });
  });

  it.each([
    ['not a URL', { CLOUDPC_MCP_REDIS_URL: 'cache:6379' }, /CLOUDPC_MCP_REDIS_URL.*not redis: or rediss:|CLOUDPC_MCP_REDIS_URL.*not a URL/],
    ['another scheme', { CLOUDPC_MCP_REDIS_URL: 'https://cache' }, /"https:" is not redis: or rediss:/],
    [
      'entra with a password in the URL',
      { CLOUDPC_MCP_REDIS_URL: 'rediss://:key@cache:10000', CLOUDPC_MCP_REDIS_AUTH: 'entra' },
      /CLOUDPC_MCP_REDIS_AUTH.*remove the password/,
    ],
    [
      'a key prefix with an open hash tag',
      { CLOUDPC_MCP_REDIS_URL: 'rediss://cache:10000', CLOUDPC_MCP_REDIS_KEY_PREFIX: 'team{a:' },
      /CLOUDPC_MCP_REDIS_KEY_PREFIX.*"team\{a:" has a "\{" without a "\}".*remove the braces/,
    ],
    [
      'an unknown auth mode',
      { CLOUDPC_MCP_REDIS_URL: 'rediss://cache:10000', CLOUDPC_MCP_REDIS_AUTH: 'token' },
      /CLOUDPC_MCP_REDIS_AUTH.*not one of: password, entra/,
    ],
  ])('refused: %s', (_what, env, message) => {
    const r = load(env);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.problems.map((p) => `${p.setting} ${p.message}`).join('\n')).toMatch(message);
  });
});
