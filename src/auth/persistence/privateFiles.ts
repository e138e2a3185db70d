// Files only the owner may read: the saved sign-in and the token cache file (where the OS keychain does not keep it).
// Writes go to a temporary file created with mode 0600 and are renamed into place, so a reader never sees half a
// file and the content is never readable by others, not even for a moment. Mode bits mean nothing on Windows,
// where the per-user profile directory's ACL protects the files instead.

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AuthError } from '../authErrors.js';
import { AUTH_ENV } from '../methods.js';

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

export async function ensurePrivateDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: DIR_MODE });
  // mkdir leaves an existing directory's mode alone; tighten one we own that others can enter.
  if (process.platform !== 'win32') {
    const st = await fs.stat(dir);
    if ((st.mode & 0o077) !== 0 && typeof process.getuid === 'function' && st.uid === process.getuid()) await fs.chmod(dir, DIR_MODE);
  }
}

export async function writePrivateFile(file: string, content: string): Promise<void> {
  await ensurePrivateDir(path.dirname(file));
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await fs.writeFile(tmp, content, { encoding: 'utf8', mode: FILE_MODE, flag: 'wx' });
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
}

/** The file's text, or undefined when there is none. A file others could read is made private first. */
export async function readPrivateFile(file: string): Promise<string | undefined> {
  try {
    if (process.platform !== 'win32') {
      const st = await fs.stat(file);
      if ((st.mode & 0o077) !== 0) await fs.chmod(file, FILE_MODE).catch(() => {});
    }
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** true when a file was removed. */
export async function removeFile(file: string): Promise<boolean> {
  try {
    await fs.unlink(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

// Where this server keeps what a user's sign-in needs between restarts: the AuthenticationRecord (which account,
// no secrets) and, unless the OS keychain keeps the tokens, the token cache file. One directory per OS user, in the
// place each platform's conventions say per-user configuration goes.
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
