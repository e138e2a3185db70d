// The user's side of interactive sign-in at the stand-in: device codes the test approves or declines as the user
// would, and the browser sign-in page, where the user signs in at once (PKCE required) and is sent back to the app
// with a code. Every code and refresh token remembers who signed in; signInAs picks who signs in next.
import { createHash, randomBytes } from 'node:crypto';
import { entraError, errorRedirect, type Answer } from './errors.js';
import { pace, type Script } from './script.js';
import { TENANT_ID, USER, type User } from './tenant.js';

export interface Lifetimes {
  /** expires_in of issued access tokens. Under 300 s MSAL treats a cached token as due for refresh at once. */
  accessTokenSec: number;
  deviceCodeSec: number;
}

export interface DeviceCodeRecord {
  userCode: string;
  clientId: string;
  state: 'pending' | 'approved' | 'declined';
}

interface DeviceCode extends DeviceCodeRecord {
  deviceCode: string;
  expires: number;
  user: User;
}

/** What MSAL puts in client_info: who signed in, in which tenant. */
export const clientInfo = (user: User) => Buffer.from(JSON.stringify({ uid: user.oid, utid: TENANT_ID })).toString('base64url');

export class SignIns {
  /** Who signs in next, on the browser page or by approving a device code. */
  user: User = USER;
  readonly #deviceCodes: DeviceCode[] = [];
  readonly #authCodes = new Map<string, { redirectUri: string; challenge: string; user: User }>();
  readonly #refreshTokens = new Map<string, User>();

  constructor(
    private readonly secrets: Set<string>,
    private readonly lifetimes: Lifetimes,
    private readonly script: Script,
  ) {}

  /** The device code endpoint: a new code for the user to enter, which is a sign-in prompt shown to them. */
  issueDeviceCode(clientId: string, url: string): Answer {
    const userCode = randomBytes(6)
      .toString('base64url')
      .replace(/[^A-Za-z0-9]/g, 'X')
      .toUpperCase()
      .slice(0, 8)
      .padEnd(8, 'Q');
    const deviceCode = this.#secret('dc');
    this.#deviceCodes.push({
      userCode,
      clientId,
      state: 'pending',
      deviceCode,
      expires: Date.now() + this.lifetimes.deviceCodeSec * 1000,
      user: this.user,
    });
    const verificationUri = `${url}/devicelogin`;
    return {
      status: 200,
      body: {
        user_code: userCode,
        device_code: deviceCode,
        verification_uri: verificationUri,
        expires_in: this.lifetimes.deviceCodeSec,
        interval: 1,
        message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
      },
    };
  }

  deviceCodes(): DeviceCodeRecord[] {
    return this.#deviceCodes.map(({ userCode, clientId, state }) => ({ userCode, clientId, state }));
  }

  /** The user enters the code and signs in (or refuses). */
  decide(userCode: string, state: 'approved' | 'declined'): void {
    const code = this.#deviceCodes.find((c) => c.userCode === userCode);
    if (!code) throw new Error(`no device code ${userCode} was issued`);
    code.state = state;
    code.user = this.user;
  }

  /**
   * Who signed in with the device code a token request presents, or Entra's answer while it cannot be redeemed. A code
   * is good for one token response, as at Entra.
   */
  redeemDeviceCode(deviceCode: string): User | Answer {
    const code = this.#deviceCodes.find((c) => c.deviceCode !== '' && c.deviceCode === deviceCode);
    if (!code) return entraError(70000);
    if (Date.now() > code.expires) return entraError(70020);
    if (code.state === 'declined')
      return entraError(70000, {}, { error: 'authorization_declined', text: 'The user declined the sign-in request.' });
    if (code.state === 'pending') return entraError(70016);
    code.deviceCode = '';
    return code.user;
  }

  /** The browser sign-in page: the user signs in (or a script answers) at once, and the page redirects to the app. */
  async authorize(query: URLSearchParams): Promise<Answer> {
    const redirectUri = query.get('redirect_uri') ?? '';
    const back = new URL(redirectUri);
    back.searchParams.set('state', query.get('state') ?? '');
    const challenge = query.get('code_challenge') ?? '';
    if (query.get('code_challenge_method') !== 'S256' || !challenge) return errorRedirect(back, 9002325);
    const scripted = this.script.take('authorize', this.user.oid);
    if (scripted) await pace(scripted);
    if (scripted?.aadsts) return errorRedirect(back, scripted.aadsts, { client: query.get('client_id') ?? '' });
    const code = this.#secret('ac');
    this.#authCodes.set(code, { redirectUri, challenge, user: this.user });
    back.searchParams.set('code', code);
    back.searchParams.set('client_info', clientInfo(this.user));
    return { status: 302, location: back.toString() };
  }

  /** Who signed in for the code a token request presents (used up), if PKCE proves it is the app that asked for it. */
  redeemAuthCode(form: URLSearchParams): User | undefined {
    const code = this.#authCodes.get(form.get('code') ?? '');
    this.#authCodes.delete(form.get('code') ?? '');
    const verifier = createHash('sha256')
      .update(form.get('code_verifier') ?? '')
      .digest('base64url');
    return code && code.redirectUri === form.get('redirect_uri') && verifier === code.challenge ? code.user : undefined;
  }

  issueRefreshToken(user: User): string {
    const token = this.#secret('rt');
    this.#refreshTokens.set(token, user);
    return token;
  }

  refreshTokenUser(token: string): User | undefined {
    return this.#refreshTokens.get(token);
  }

  #secret(prefix: string): string {
    const value = `${prefix}.${randomBytes(24).toString('base64url')}`;
    this.secrets.add(value);
    return value;
  }
}
