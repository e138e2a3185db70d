// One in-flight token request that every caller of a token provider shares (a "flow"). Callers join and leave; when
// the credential needs the user (a device code, a browser window) the flow gets a prompt, which every waiting caller
// receives as SignInRequiredError while the request keeps running in the background, bounded by the sign-in timeout.
import type { AccessToken } from '../../graph/types.js';
import { AuthError, SignInRequiredError } from '../authErrors.js';
import { AUTH_ENV, type CredentialMethod } from '../methods.js';
import type { SignInPrompt } from '../authTypes.js';
import type { CloudInfo } from '../../graph/clouds.js';
import type { CredentialPrompt } from './identityCredentials.js';

export interface FlowHooks {
  /** Every token the request produced, even one that arrives after the flow settled. */
  onToken(token: AccessToken): void;
  /** Once, when the flow settles: with the token, or with why it failed. */
  onSettled(flow: SignInFlow, token: AccessToken | undefined, error: Error | undefined): void;
}

export class SignInFlow {
  readonly result: Promise<AccessToken>;
  /** Aborts the credential's request underneath. */
  readonly controller = new AbortController();
  /** Callers waiting for this flow right now. */
  waiters = 0;
  /** Set once the credential asked for the user. */
  prompt: SignInPrompt | undefined;
  settled = false;
  readonly #listeners = new Set<(prompt: SignInPrompt) => void>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #settle!: { resolve(t: AccessToken): void; reject(e: Error): void };

  constructor(
    private readonly method: CredentialMethod,
    private readonly hooks: FlowHooks,
  ) {
    this.result = new Promise<AccessToken>((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    // Nobody may be waiting when a background sign-in fails; the provider keeps the failure instead.
    this.result.catch(() => {});
  }

  finish(token: AccessToken | undefined, err?: Error): void {
    if (token) this.hooks.onToken(token);
    if (this.settled) return;
    this.settled = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#listeners.clear();
    if (token) {
      this.hooks.onSettled(this, token, undefined);
      this.#settle.resolve(token);
      return;
    }
    const error = err ?? new AuthError('sign_in_failed', 'Sign-in failed.', { method: this.method });
    this.hooks.onSettled(this, undefined, error);
    this.#settle.reject(error);
  }

  /** The user is needed: callers waiting now get the prompt; the flow fails with `onTimeout()` if not completed in time. */
  prompted(prompt: SignInPrompt, timeoutMs: number, onTimeout: () => Error): void {
    this.prompt = prompt;
    if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.controller.abort();
        this.finish(undefined, onTimeout());
      }, timeoutMs);
      this.#timer.unref?.();
    }
    for (const listener of [...this.#listeners]) listener(prompt);
  }

  /**
   * Waits for the flow as one caller: resolves with the token, or rejects with the prompt (SignInRequiredError), the
   * flow's failure, or the caller's abort. A caller arriving while a prompt is pending waits `pendingWaitMs` for the
   * user before it is given the prompt again.
   */
  wait(signal: AbortSignal | undefined, pendingWaitMs: number): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      let done = false;
      let joinTimer: ReturnType<typeof setTimeout> | undefined;
      this.waiters += 1;
      const leave = (): boolean => {
        if (done) return false;
        done = true;
        this.waiters -= 1;
        this.#listeners.delete(onPrompt);
        signal?.removeEventListener('abort', onAbort);
        if (joinTimer) clearTimeout(joinTimer);
        return true;
      };
      const onPrompt = (prompt: SignInPrompt) => {
        if (leave()) reject(new SignInRequiredError(prompt, false, this.method));
      };
      const onAbort = () => {
        if (!leave()) return;
        reject((signal?.reason as Error | undefined) ?? new DOMException('The operation was aborted.', 'AbortError'));
        // Before any prompt a flow exists only for its callers; once the user was asked, it is theirs to finish.
        if (this.waiters === 0 && !this.prompt && !this.settled) {
          this.controller.abort();
          this.finish(undefined, new DOMException('Every caller cancelled the token request.', 'AbortError'));
        }
      };
      this.result.then(
        (token) => leave() && resolve(token.token),
        (err: Error) => leave() && reject(err),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      const prompt = this.prompt;
      if (prompt) joinTimer = setTimeout(() => leave() && reject(new SignInRequiredError(prompt, true, this.method)), pendingWaitMs);
      else this.#listeners.add(onPrompt);
    });
  }
}

// The words the user sees when a sign-in needs them: returned as the tool result, so they must say what to do
// next in chat ("then call the tool again"), not in a terminal.
/**
 * @param note a last sentence about what happens to this sign-in, e.g. that it will not survive a restart here.
 */
export function buildSignInPrompt(raw: CredentialPrompt, cloud: CloudInfo, expiresOn: Date, note?: string): SignInPrompt {
  const where = `Microsoft Graph (${cloud.label})`;
  const until = `This sign-in stays open until ${expiresOn.toISOString()}.`;
  const lead = raw.reason ? `${raw.reason} ` : '';
  const tail = note ? ` ${note}` : '';
  if (raw.kind === 'deviceCode') {
    return {
      kind: 'deviceCode',
      verificationUri: raw.verificationUri,
      userCode: raw.userCode,
      message: `${lead}To sign in to ${where}, open ${raw.verificationUri} and enter the code ${raw.userCode}. When you have finished, call the tool again. ${until}${tail}`,
      expiresOn,
    };
  }
  return {
    kind: 'browser',
    message: `${lead}A browser window was opened to sign in to ${where}. Complete the sign-in there, then call the tool again. ${until} If no window appeared, set ${AUTH_ENV.method}=devicecode and restart the server.${tail}`,
    expiresOn,
  };
}
