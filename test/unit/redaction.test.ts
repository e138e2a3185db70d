// Tokens never reach a log line, an audit line or a Graph error shown to the admin, not even in part: the signature
// alone, or header.payload without it. Request headers echoed into logs or answers are bounded.
import { afterAll, describe, expect, it } from 'vitest';
import { MockAgent } from 'undici';
import { generateKeyPair, SignJWT } from 'jose';
import { createLogger, headerForLog, MAX_HEADER_CHARS, redactSecrets } from '../../src/core/log.js';
import { GraphClient } from '../../src/graph/client.js';
import { auditLine } from '../../src/transports/http/audit.js';
import { graphRejection } from '../support/graph-rejection.js';

const { privateKey } = await generateKeyPair('RS256');
const token = await new SignJWT({ oid: '11111111-aaaa-4bbb-8ccc-000000000001', scp: 'CloudPC.ReadWrite.All' })
  .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' })
  .setExpirationTime('1h')
  .sign(privateKey);
const [header, payload, signature] = token.split('.') as [string, string, string];
const GUID = '8f1c2d3e-6a7b-4c8d-9e0f-a1b2c3d4e5f6';

/** Each piece of the token a leak could carry. */
const pieces = { whole: token, 'header.payload': `${header}.${payload}`, signature, payload };

function leaks(text: string): string[] {
  return Object.entries(pieces)
    .filter(([, v]) => text.includes(v))
    .map(([k]) => k);
}

describe('redactSecrets', () => {
  it.each(Object.entries(pieces))('cuts out %s, known or not, and keeps the text around it', (_what, piece) => {
    for (const known of [[token], []]) {
      const out = redactSecrets(`before ${piece} after ${GUID}`, known);
      expect(leaks(out)).toEqual([]);
      expect(out).toMatch(/^before \[redacted\].* after 8f1c2d3e-6a7b-4c8d-9e0f-a1b2c3d4e5f6$/);
    }
  });

  it('cuts out bearer values and leaves ordinary text, ids and URLs alone', () => {
    expect(redactSecrets('Authorization: Bearer abcdefghijklmnopqrstuvwxyz')).toBe('Authorization: Bearer [redacted]');
    const plain = `GET /beta/deviceManagement/virtualEndpoint/bulkActions/${GUID} failed: itemNotFound (request-id ${GUID})`;
    expect(redactSecrets(plain)).toBe(plain);
  });
});

describe('headerForLog', () => {
  it(`cuts a header to ${MAX_HEADER_CHARS} characters and redacts it`, () => {
    const out = headerForLog(`https://evil.example.com/${'ab/'.repeat(3_000)}`)!;
    expect(out.length).toBeLessThan(MAX_HEADER_CHARS + 30);
    expect(out).toMatch(/…\(\d+ more\)$/);
    expect(leaks(headerForLog(`x ${signature}`)!)).toEqual([]);
    expect(headerForLog(['a', 'b'])).toBe('a, b');
    expect(headerForLog(undefined)).toBeUndefined();
  });
});

describe('log lines', () => {
  it('carry no token piece in the message or any field, and bound long fields', () => {
    const lines: string[] = [];
    const logger = createLogger('debug', (l) => lines.push(l));
    logger.warn(`refused ${header}.${payload}`, { origin: signature, detail: `sig ${signature}`, long: 'x y '.repeat(5_000) });
    expect(leaks(lines.join('\n'))).toEqual([]);
    expect(lines[0]!.length).toBeLessThan(5_000);
  });
});

describe('audit lines', () => {
  it('redact a token a caller put in the tool name or that an error echoed', () => {
    const line = auditLine(
      {
        tool: `${header}.${payload}`,
        arguments: {},
        result: { isError: true, content: [{ type: 'text', text: `Graph said: token ${signature} is invalid` }] },
      },
      undefined,
    );
    expect(leaks(JSON.stringify(line))).toEqual([]);
    expect(line.error).toMatch(/^Graph said: token \[redacted\] is invalid$/);
  });
});

describe('Graph errors', () => {
  const agent = new MockAgent();
  agent.disableNetConnect();
  afterAll(() => agent.close());

  it('do not echo the signature alone or header.payload of the token that was sent', async () => {
    agent
      .get('https://graph.test')
      .intercept({ path: (p) => p.startsWith('/beta/'), method: 'GET' })
      .reply(
        401,
        { error: { code: 'InvalidAuthenticationToken', message: `Signature ${signature} invalid for ${header}.${payload}` } },
        { headers: { 'content-type': 'application/json' } },
      );
    const client = new GraphClient({
      graphRoot: 'https://graph.test',
      tokenProvider: { description: 'fixed', delegated: true, getToken: async () => token },
      dispatcher: agent,
      timeoutMs: 5_000,
      sleep: async () => {},
    });
    const err = await graphRejection(client.request({ method: 'GET', path: '/deviceManagement/virtualEndpoint/bulkActions' }));
    expect(err.code).toBe('InvalidAuthenticationToken');
    expect(leaks(`${err.message} ${err.graphMessage} ${JSON.stringify(err)}`)).toEqual([]);
  });
});
