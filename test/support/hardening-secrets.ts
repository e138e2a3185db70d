// Distinctive secrets for hardening runs, and a scanner that every byte the server writes (stdout lines: results,
// errors, log notifications; stderr lines: logs) goes through. Values are unique per run so a hit can only be a leak.
import { randomBytes } from 'node:crypto';
import { clip } from './hardening-jsonrpc.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { baseEnv } from '../e2e/harness.js';
import { connectTapped, type TappedSession } from './hardening-stdio.js';

const b64url = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

export interface HardeningSecrets {
  /** A delegated Graph token (JWT-shaped, so the server reads its claims as it would a real one). */
  token: string;
  /** The token's signature segment: the part that must never leak even when claims are described. */
  tokenSignature: string;
  clientSecret: string;
}

export function makeSecrets(): HardeningSecrets {
  const tokenSignature = `HardeningSig${randomBytes(16).toString('hex')}`;
  const header = b64url({ alg: 'RS256', typ: 'JWT' });
  const payload = b64url({
    aud: 'https://graph.microsoft.com',
    scp: 'CloudPC.ReadWrite.All CloudPC.Read.All',
    upn: 'hardening@contoso.com',
    tid: '11111111-2222-3333-4444-555555555555',
    exp: Math.floor(Date.now() / 1000) + 6 * 3600,
  });
  return {
    token: `${header}.${payload}.${tokenSignature}`,
    tokenSignature,
    clientSecret: `HardeningClientSecret~${randomBytes(16).toString('hex')}`,
  };
}

/** Environment that hands the server the token and puts a client secret next to it, with debug logging on. */
export function secretEnv(s: HardeningSecrets): Record<string, string> {
  return {
    CLOUDPC_MCP_ACCESS_TOKEN: s.token,
    AZURE_CLIENT_SECRET: s.clientSecret,
    AZURE_CLIENT_ID: '00000000-1111-2222-3333-444444444444',
    AZURE_TENANT_ID: '11111111-2222-3333-4444-555555555555',
    CLOUDPC_MCP_LOG_LEVEL: 'debug',
  };
}

export interface SecretHit {
  source: string;
  secret: string;
  excerpt: string;
}

export class SecretScanner {
  readonly hits: SecretHit[] = [];
  scanned = 0;
  private readonly needles: { name: string; value: string }[];

  constructor(secrets: HardeningSecrets) {
    this.needles = [
      { name: 'token', value: secrets.token },
      { name: 'token signature', value: secrets.tokenSignature },
      { name: 'token (base64)', value: Buffer.from(secrets.token).toString('base64').slice(0, 40) },
      { name: 'client secret', value: secrets.clientSecret },
      { name: 'client secret (url-encoded)', value: encodeURIComponent(secrets.clientSecret) },
    ];
  }

  /** Looks for every secret, and for any Authorization header value, in one piece of output. */
  scan(source: string, text: string): void {
    this.scanned += text.length;
    for (const n of this.needles) {
      const at = text.indexOf(n.value);
      if (at !== -1) this.record(source, n.name, text, at, n.value.length);
    }
    // Any credential-shaped bearer value counts, not only this run's token: a redacted '[redacted]' does not.
    const header = /\bbearer\s+[A-Za-z0-9\-_.~+/=]{12,}/i.exec(text);
    if (header) this.record(source, 'authorization header value', text, header.index, header[0].length);
  }

  /** An observer for ServerProcess. */
  readonly observe = (source: string, line: string): void => this.scan(source, line);

  report(): string {
    return this.hits.map((h) => `- ${h.secret} in ${h.source}: ${h.excerpt}`).join('\n');
  }

  /** The text with every secret and bearer value masked: safe to print in a failure message or a CI log. */
  mask(text: string): string {
    let out = text;
    for (const n of this.needles) out = out.split(n.value).join(`[${n.name}]`);
    return out.replace(/\bbearer\s+\S+/gi, 'Bearer [masked]').replace(/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, '[jwt]');
  }

  private record(source: string, secret: string, text: string, at: number, length: number): void {
    if (this.hits.length >= 20) return;
    const excerpt = clip(this.mask(`${text.slice(Math.max(0, at - 80), at)}[${secret}]${text.slice(at + length, at + length + 80)}`), 300);
    this.hits.push({ source, secret, excerpt });
  }
}

/**
 * A stdio server against a fresh simulator that accepts only the distinctive token, with every line the server writes
 * scanned: the common set-up of the fuzz and soak runs.
 */
export async function startScannedSession(
  secrets: HardeningSecrets,
  scanner: SecretScanner,
  env: Record<string, string>,
): Promise<{ sim: Simulator; session: TappedSession; stop: () => Promise<void> }> {
  const sim = await startSimulator({ token: secrets.token });
  const session = await connectTapped({
    env: baseEnv({ ...secretEnv(secrets), CLOUDPC_MCP_GRAPH_URL: sim.url, ...env }),
    observe: scanner.observe,
  });
  return {
    sim,
    session,
    async stop() {
      await session.proc.stop();
      await sim.close();
    },
  };
}
