// Where remote mode keeps what must hold across requests and replicas: in memory (no setting), or the Redis that
// CLOUDPC_MCP_REDIS_URL names, signed in to with the URL's password or a Microsoft Entra token.
import { DEFAULT_REDIS_KEY_PREFIX, labelOf, REDIS_AUTH_MODES } from './settings.js';
import type { SettingReader } from './values.js';

export type RedisAuth = (typeof REDIS_AUTH_MODES)[number];

export interface RedisConfig {
  url: string;
  auth: RedisAuth;
  prefix: string;
  /** host:port, for messages (never the password). */
  where: string;
  /** entra: where the server's Azure identity gets its token (the cloud's authority, or AZURE_AUTHORITY_HOST). */
  authority: { host: string; disableInstanceDiscovery: boolean };
}

export interface StoreConfig {
  redis?: RedisConfig;
}

const EXAMPLE = 'rediss://:<access key>@contoso.redis.azure.net:10000 (Azure Managed Redis) or redis://127.0.0.1:6379';

/** `authorityHost`: the Entra authority of the server's own sign-in; `known`: whether it is a Microsoft cloud's (instance discovery on). */
export function readStoreConfig(r: SettingReader, authorityHost: string, known: boolean): StoreConfig {
  const raw = r.text('CLOUDPC_MCP_REDIS_URL')?.trim();
  const auth = r.choice<RedisAuth>('CLOUDPC_MCP_REDIS_AUTH', REDIS_AUTH_MODES, 'password');
  const prefix = r.text('CLOUDPC_MCP_REDIS_KEY_PREFIX') ?? DEFAULT_REDIS_KEY_PREFIX;
  if (raw === undefined) return {};
  const tagProblem = prefixTagProblem(prefix);
  if (tagProblem) {
    r.problems.push({ setting: labelOf('CLOUDPC_MCP_REDIS_KEY_PREFIX'), message: tagProblem });
    return {};
  }
  const problem = (message: string) => {
    r.problems.push({ setting: labelOf('CLOUDPC_MCP_REDIS_URL'), message });
    return {};
  };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return problem(`not a URL; give e.g. ${EXAMPLE}.`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    return problem(`"${url.protocol}" is not redis: or rediss:; give e.g. ${EXAMPLE}.`);
  if (!url.hostname) return problem(`names no host; give e.g. ${EXAMPLE}.`);
  if (auth === 'entra' && url.password) {
    r.problems.push({
      setting: labelOf('CLOUDPC_MCP_REDIS_AUTH'),
      message:
        'is entra, but CLOUDPC_MCP_REDIS_URL carries a password: remove the password from the URL (Entra tokens replace it), or set CLOUDPC_MCP_REDIS_AUTH=password.',
    });
    return {};
  }
  const where = `${url.hostname}:${url.port || (url.protocol === 'rediss:' ? '6380' : '6379')}`;
  return { redis: { url: raw, auth, prefix, where, authority: { host: authorityHost, disableInstanceDiscovery: !known } } };
}

/**
 * Pure: why a key prefix would break the store's hash slots, or undefined. Redis hashes only the part of a key between
 * its first "{" and the next "}" when that part is not empty, and the keys that change together carry the same
 * "{tag}" after the prefix. A prefix with an open "{", or an empty "{}", would make Redis hash other parts of each key,
 * and one atomic step would span slots (refused by a Redis Cluster). A whole "{tag}" in the prefix is fine: every key
 * then shares one slot.
 */
export function prefixTagProblem(prefix: string): string | undefined {
  const open = prefix.indexOf('{');
  if (open < 0) return undefined;
  const close = prefix.indexOf('}', open + 1);
  if (close > open + 1) return undefined;
  return `"${prefix}" has ${close < 0 ? 'a "{" without a "}" after it' : 'an empty "{}"'}, which would change the hash slot of each key (Redis hashes the text between the first "{" and the next "}"); remove the braces, or close a non-empty tag such as "{cloudpc-mcp}:".`;
}
