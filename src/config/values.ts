// Typed readers for settings: one value of the table, from its flag or else its environment variable, checked against
// the rule of its type. Pure: every rule is unit-tested through loadConfig.
import { KNOWN_GRAPH_HOSTS } from '../graph/clouds.js';
import { ACTION_TYPES_DESTRUCTIVE_DEFAULT } from '../core/actionTypes.js';
import { unknownVariants, VARIANT_NAMES, type SimulatorVariant } from '../simulator/variants.js';
import { labelOf, settingOf } from './settings.js';

export interface ConfigProblem {
  setting: string;
  message: string;
}

const LOOPBACK_NAME = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|\[::1\]|localhost)$/i;

/** A host name (bracketed or not for IPv6) that only this machine answers to. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAME.test(host.trim());
}

/** The items of a comma-separated setting, trimmed, without empty ones. */
export function commaList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export class SettingReader {
  constructor(
    private readonly flags: ReadonlyMap<string, string | boolean>,
    private readonly env: Record<string, string | undefined>,
    readonly problems: ConfigProblem[],
  ) {}

  /** The raw value: the flag wins over the variable; an empty variable counts as unset. */
  text(env: string): string | undefined {
    const f = this.flags.get(env);
    if (typeof f === 'string') return f;
    const e = this.env[env];
    return e === undefined || e.trim() === '' ? undefined : e;
  }

  bool(env: string): boolean {
    if (this.flags.get(env) === true) return true;
    const v = this.env[env];
    if (v === undefined) return false;
    const s = v.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(s)) return true;
    if (['0', 'false', 'no', 'off', ''].includes(s)) return false;
    this.problems.push({ setting: env, message: `"${v}" is not a yes/no value; use true or false.` });
    return false;
  }

  int(env: string): number {
    const range = settingOf(env).int;
    if (!range) throw new Error(`${env} is not a whole-number setting`);
    const raw = this.text(env);
    if (raw === undefined) return range.default;
    const n = /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
    if (!Number.isSafeInteger(n) || n < range.min || n > range.max) {
      this.problems.push({
        setting: labelOf(env),
        message: `"${raw}" is not a whole number from ${range.min} to ${range.max}; default is ${range.default}.`,
      });
      return range.default;
    }
    return n;
  }

  choice<T extends string>(env: string, allowed: readonly T[], def: T): T {
    const raw = this.text(env);
    if (raw === undefined) return def;
    const v = raw.trim().toLowerCase() as T;
    if (allowed.includes(v)) return v;
    this.problems.push({ setting: labelOf(env), message: `"${raw}" is not one of: ${allowed.join(', ')}.` });
    return def;
  }
}

/** Validates a Graph root override; returns the normalised root (no trailing slash) or records a problem. */
export function parseGraphUrl(raw: string, problems: ConfigProblem[], warnings: string[]): string | undefined {
  const setting = labelOf('CLOUDPC_MCP_GRAPH_URL');
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    problems.push({ setting, message: `"${raw}" is not a URL; give a root such as https://graph.microsoft.com or http://127.0.0.1:8080.` });
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    problems.push({ setting, message: `scheme "${url.protocol}" is not allowed; use https (or http to a loopback address).` });
    return undefined;
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    problems.push({
      setting,
      message: `plain http is only allowed to loopback (127.0.0.1, ::1, localhost), because the bearer token would travel unencrypted; use https://${url.host}.`,
    });
    return undefined;
  }
  if (url.username || url.password || url.search || url.hash) {
    problems.push({ setting, message: 'give only scheme, host, port and an optional path prefix: no credentials, query or fragment.' });
    return undefined;
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (/\/(beta|v1\.0)$/i.test(path)) {
    problems.push({
      setting,
      message: `give the root without the version segment: ${url.origin}${path.replace(/\/(beta|v1\.0)$/i, '')} (the server adds /beta itself).`,
    });
    return undefined;
  }
  if (!KNOWN_GRAPH_HOSTS.has(url.host) && !isLoopbackHost(url.hostname)) {
    warnings.push(`The Graph URL ${url.origin} is not a Microsoft Graph host; the access token will be sent there.`);
  }
  return url.origin + path;
}

export function parseDestructive(raw: string | undefined, problems: ConfigProblem[]): Set<string> {
  const setting = labelOf('CLOUDPC_MCP_DESTRUCTIVE_ACTIONS');
  const defaults = () => new Set(ACTION_TYPES_DESTRUCTIVE_DEFAULT.map((s) => s.toLowerCase()));
  if (raw === undefined) return defaults();
  const items = commaList(raw);
  if (items.length === 1 && items[0]!.toLowerCase() === 'none') return new Set();
  const bad = items.filter((s) => !/^[a-zA-Z][a-zA-Z0-9]{0,63}$/.test(s));
  if (bad.length) {
    problems.push({
      setting,
      message: `not action type names: ${bad.map((b) => JSON.stringify(b)).join(', ')}; use a comma list such as reprovision,restore,resize, or "none".`,
    });
  }
  if (items.length === 0) {
    problems.push({
      setting,
      message: 'the list is empty; write "none" to confirm no retry, or leave the setting unset for the default list.',
    });
    return defaults();
  }
  // Names are compared case-insensitively so "Reprovision" and "reprovision" mean the same.
  return new Set(items.map((s) => s.toLowerCase()));
}

/** AZURE_AUTHORITY_HOST: an https origin, or a problem. */
export function parseAuthorityHost(raw: string | undefined, problems: ConfigProblem[]): string | undefined {
  if (!raw?.trim()) return undefined;
  try {
    const u = new URL(raw.trim());
    if (u.protocol !== 'https:') throw new Error('https');
    return u.origin;
  } catch {
    problems.push({
      setting: 'AZURE_AUTHORITY_HOST',
      message: `"${raw.trim()}" is not an https URL such as https://login.microsoftonline.us.`,
    });
    return undefined;
  }
}

/** CLOUDPC_MCP_SIMULATE_VARIANTS: known simulator variant names, and only together with the simulator. */
export function parseVariants(raw: string | undefined, simulate: boolean, problems: ConfigProblem[]): SimulatorVariant[] {
  if (raw === undefined) return [];
  const setting = labelOf('CLOUDPC_MCP_SIMULATE_VARIANTS');
  const names = commaList(raw);
  const bad = unknownVariants(names);
  if (bad.length)
    problems.push({
      setting,
      message: `not simulator variants: ${bad.map((b) => JSON.stringify(b)).join(', ')}; known: ${VARIANT_NAMES.join(', ')}.`,
    });
  else if (!simulate && names.length)
    problems.push({
      setting,
      message: 'variants apply to the embedded simulator only; add --simulate (CLOUDPC_MCP_SIMULATE=true) or remove this setting.',
    });
  return [...new Set(names)].filter((n): n is SimulatorVariant => !bad.includes(n));
}
