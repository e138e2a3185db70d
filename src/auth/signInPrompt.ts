// The words the user sees when a sign-in needs them: returned as the tool result, so they must say what to do
// next in chat ("then call the tool again"), not in a terminal.

import type { CloudInfo } from '../graph/clouds.js';
import type { CredentialPrompt } from './credentials.js';
import { AUTH_ENV } from './methods.js';
import type { SignInPrompt } from './types.js';

export function buildSignInPrompt(raw: CredentialPrompt, cloud: CloudInfo, expiresOn: Date): SignInPrompt {
  const where = `Microsoft Graph (${cloud.label})`;
  const until = `This sign-in stays open until ${expiresOn.toISOString()}.`;
  if (raw.kind === 'deviceCode') {
    return {
      kind: 'deviceCode',
      verificationUri: raw.verificationUri,
      userCode: raw.userCode,
      message: `To sign in to ${where}, open ${raw.verificationUri} and enter the code ${raw.userCode}. When you have finished, call the tool again. ${until}`,
      expiresOn,
    };
  }
  return {
    kind: 'browser',
    message: `A browser window was opened to sign in to ${where}. Complete the sign-in there, then call the tool again. ${until} If no window appeared, set ${AUTH_ENV.method}=devicecode and restart the server.`,
    expiresOn,
  };
}
