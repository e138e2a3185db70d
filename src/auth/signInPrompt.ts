// The words the user sees when a sign-in needs them: returned as the tool result, so they must say what to do
// next in chat ("then call the tool again"), not in a terminal.

import type { CloudInfo } from '../graph/clouds.js';
import type { CredentialPrompt } from './credentials.js';
import { AUTH_ENV } from './methods.js';
import type { SignInPrompt } from './types.js';

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
