// Opening the approval page in the person's browser, truthfully and without putting the one-time link on a command
// line (where `ps` shows it to every account on the machine). As Jupyter does for its token: the link goes into a
// private file (0600, in a 0700 folder of the server's own), and the browser is handed that file, which redirects.
// "Opened" is said only when it was: on Linux that needs a desktop session and an opener that exited with status 0.
import { randomBytes } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writePrivateFile } from '../auth/persistence/privateFiles.js';
import type { Logger } from '../core/log.js';

/** Whether the browser was opened, and if not, why (for the log and the person). */
export type OpenResult = { opened: true } | { opened: false; why: string };

/** Runs the platform's opener on a file URL; resolves on exit status 0, rejects otherwise. */
export type Launcher = (target: string) => Promise<void>;

export interface OpenerOptions {
  /** The server's own private folder for the redirect files. */
  dir: string;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  launch?: Launcher;
}

/** An opener still running after this long has started a browser that keeps it waiting: that counts as opened. */
const STILL_RUNNING_MS = 10_000;
/** The redirect file is removed once the browser has had ample time to read it; the token in it works once anyway. */
const KEEP_FILE_MS = 120_000;

/** Pure: why no browser can be opened here, or undefined when one may be. */
export function noDesktop(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | undefined {
  if (platform === 'win32' || platform === 'darwin') return undefined;
  if (env['DISPLAY']?.trim() || env['WAYLAND_DISPLAY']?.trim()) return undefined;
  return 'there is no desktop session (neither DISPLAY nor WAYLAND_DISPLAY is set)';
}

/** The private file's content: a redirect to the link, and the link itself for a browser that does not follow it. */
export function redirectDocument(link: string): string {
  const href = link.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return (
    `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${href}">` +
    `<title>Approval page</title></head><body><p><a href="${href}">Open the approval page</a></p></body></html>\n`
  );
}

async function writePrivate(dir: string, link: string): Promise<string> {
  // The same private files as the saved sign-in: a 0700 folder, a 0600 file, never readable by others even briefly.
  const file = path.join(dir, `approve-${randomBytes(8).toString('hex')}.html`);
  await writePrivateFile(file, redirectDocument(link));
  return file;
}

const defaultLauncher: Launcher = async (target) => {
  // Loaded on first use: most sessions never need a browser. On Linux, xdg-open exits once it handed the file to a
  // browser, so its exit status says whether that worked (wait: true). macOS's `open -W` and Windows' Start-Process
  // -Wait would wait for the browser to quit instead; there, a started opener is the best evidence there is.
  const { default: open } = await import('open');
  const wait = process.platform !== 'darwin' && process.platform !== 'win32';
  const child = await open(target, { wait });
  if (!wait) {
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      setImmediate(resolve);
    });
  }
};

function withinTime(p: Promise<void>): Promise<'exited' | 'running'> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve('running'), STILL_RUNNING_MS);
    timer.unref();
    p.then(
      () => (clearTimeout(timer), resolve('exited')),
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on p's own rejection as it is
      (err: unknown) => (clearTimeout(timer), reject(err)),
    );
  });
}

/** Opens `link` in the browser through a private redirect file; says whether it did. */
export function browserOpener(opts: OpenerOptions): (link: string) => Promise<OpenResult> {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const launch = opts.launch ?? defaultLauncher;
  return async (link) => {
    const why = noDesktop(env, platform);
    if (why) return { opened: false, why };
    let file: string;
    try {
      file = await writePrivate(opts.dir, link);
    } catch (err) {
      return { opened: false, why: `the private redirect file could not be written in ${opts.dir} (${(err as Error).message})` };
    }
    setTimeout(() => void unlink(file).catch(() => {}), KEEP_FILE_MS).unref();
    try {
      await withinTime(launch(pathToFileURL(file).href));
      return { opened: true };
    } catch (err) {
      const reason = `the browser opener failed (${(err as Error).message})`;
      opts.logger.warn('could not open a browser for the approval page; use the link from the log', { error: (err as Error).message });
      return { opened: false, why: reason };
    }
  };
}
