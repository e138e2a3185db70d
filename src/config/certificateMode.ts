// A file that holds a private key (AZURE_CLIENT_CERTIFICATE_PATH) signs in as the app registration: another account on
// the machine that can read it can sign in as the app too. Said once at start-up, with the file and the fix; the file
// itself is still used (refusing would take the server down over a warning-level risk the operator may accept).
import { statSync } from 'node:fs';

/** Pure: the warning for a key file of mode `mode`, or undefined when no other account can read it. */
export function readableByOthersWarning(path: string, mode: number): string | undefined {
  if ((mode & 0o077) === 0) return undefined;
  const octal = (mode & 0o777).toString(8).padStart(3, '0');
  return `The certificate file ${path} (mode ${octal}) can be read by other accounts on this machine, and its private key signs in as the app registration. Run: chmod 600 ${path}`;
}

/** The warning for the key file at `path`, when it exists and other accounts can read it; never on Windows (no modes). */
export function privateFileWarning(path: string | undefined, platform: NodeJS.Platform = process.platform): string | undefined {
  if (!path || platform === 'win32') return undefined;
  try {
    return readableByOthersWarning(path, statSync(path).mode);
  } catch {
    // Missing or unreadable: the sign-in reports that, with its own fix.
    return undefined;
  }
}
