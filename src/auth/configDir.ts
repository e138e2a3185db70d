// Where this server keeps what a user's sign-in needs between restarts: the AuthenticationRecord (which account,
// no secrets) and, only when the user asked for it, an unencrypted token cache. One directory per OS user, in the
// place each platform's conventions say per-user configuration goes.

import path from 'node:path';
import { AuthError } from './errors.js';
import { AUTH_ENV } from './methods.js';

const APP_DIR = 'cloudpc-mcp';

export function configDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  const override = env[AUTH_ENV.configDir]?.trim();
  if (override) {
    if (!path.isAbsolute(override)) {
      throw new AuthError('invalid_configuration', `${AUTH_ENV.configDir} must be an absolute path; got "${override}".`);
    }
    return path.normalize(override);
  }
  const home = env['HOME']?.trim() || env['USERPROFILE']?.trim();
  if (platform === 'win32') {
    const appData = env['APPDATA']?.trim() || (home ? path.win32.join(home, 'AppData', 'Roaming') : undefined);
    if (appData) return path.win32.join(appData, APP_DIR);
  } else if (platform === 'darwin') {
    if (home) return path.posix.join(home, 'Library', 'Application Support', APP_DIR);
  } else {
    const xdg = env['XDG_CONFIG_HOME']?.trim();
    if (xdg && path.isAbsolute(xdg)) return path.posix.join(xdg, APP_DIR);
    if (home) return path.posix.join(home, '.config', APP_DIR);
  }
  throw new AuthError(
    'invalid_configuration',
    `No home directory is known (HOME is not set), so the sign-in cannot be saved; set ${AUTH_ENV.configDir} to a directory of yours, or ${AUTH_ENV.tokenCache}=none.`,
  );
}
