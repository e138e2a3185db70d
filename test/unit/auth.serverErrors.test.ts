// What Entra said is kept for the error message, because MSAL and identity sometimes drop it.
import { describe, expect, it } from 'vitest';
import { createEntraErrorCapture, withEntraDetail } from '../../src/auth/entraErrors/serverErrors.js';

const respond = (status: number, body: unknown) => async () => ({
  status,
  bodyAsText: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('Entra error capture', () => {
  it('keeps the last failure after a mark, ignores polling answers and successes', async () => {
    const c = createEntraErrorCapture();
    const send = (status: number, body: unknown) => c.policy.policy.sendRequest({}, respond(status, body));
    const mark = c.mark();
    await send(400, { error: 'authorization_pending', error_description: 'AADSTS70016: pending' });
    await send(200, { access_token: 'x' });
    expect(c.since(mark)).toBeUndefined();
    await send(400, { error: 'invalid_grant', error_description: 'AADSTS65001: not consented.\r\nTrace ID: 1\r\nCorrelation ID: 2' });
    expect(c.since(mark)).toEqual({ status: 400, error: 'invalid_grant', description: 'AADSTS65001: not consented.' });
    expect(c.since(c.mark())).toBeUndefined();
    await send(502, '<html>bad gateway</html>');
    expect(c.since(mark)?.error).toBe('invalid_grant');
  });

  it('adds the detail to an error once, keeping its name so identity error handling still recognises it', () => {
    const err = Object.assign(new Error('post_request_failed: invalid_grant'), { name: 'AuthenticationRequiredError' });
    const out = withEntraDetail(err, { status: 400, error: 'invalid_grant', description: 'AADSTS65001: not consented.' }) as Error;
    expect(out.name).toBe('AuthenticationRequiredError');
    expect(out.message).toBe('post_request_failed: invalid_grant (invalid_grant: AADSTS65001: not consented.)');
    expect(withEntraDetail(out, { status: 400, error: 'invalid_grant', description: 'AADSTS65001: not consented.' })).toBe(out);
    expect(withEntraDetail(err, undefined)).toBe(err);
  });
});
