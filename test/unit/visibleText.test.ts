// Invisible format characters in names from Graph are written out wherever a name is shown; the certificate file's
// mode is warned about with the file and the fix; the approval page's opener says "opened" only when it was.
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { visible } from '../../src/core/visible.js';
import { table } from '../../src/tools/textTable.js';
import { who } from '../../src/tools/outcomes.js';
import { readableByOthersWarning } from '../../src/config/certificateMode.js';
import { browserOpener, noDesktop, redirectDocument } from '../../src/approval/browserOpener.js';
import { createLogger } from '../../src/core/log.js';

describe('visible', () => {
  it.each([
    ['right-to-left override', 'erin\u202Efdp.exe', 'erin⟨U+202E⟩fdp.exe'],
    ['isolates and marks', '\u2066a\u2069\u200F', '⟨U+2066⟩a⟨U+2069⟩⟨U+200F⟩'],
    ['zero-width space and BOM', 'pc\u200B1\uFEFF', 'pc⟨U+200B⟩1⟨U+FEFF⟩'],
    ['a tag character (outside the BMP)', 'x\u{E0041}', 'x⟨U+E0041⟩'],
    ['line separator', 'a\u2028b', 'a⟨U+2028⟩b'],
    ['plain names are unchanged', 'CPC-erin-R2H6W (Développeurs, 東京)', 'CPC-erin-R2H6W (Développeurs, 東京)'],
  ])('%s', (_, input, shown) => {
    expect(visible(input)).toBe(shown);
  });

  it('reaches the tool text: tables and device names', () => {
    expect(table(['Name'], [['evil\u202Etxt.exe']])).toContain('evil⟨U+202E⟩txt.exe');
    expect(who({ cloudPcId: 'id-1', name: 'pc\u202E', userPrincipalName: 'erin@contoso.com' })).toBe('erin@contoso.com (pc⟨U+202E⟩)');
  });
});

describe('certificate file readable by other accounts', () => {
  it.each([
    [0o100600, undefined],
    [0o100400, undefined],
    [0o100640, 'mode 640'],
    [0o100644, 'mode 644'],
    [0o100604, 'mode 604'],
  ])('mode %o', (mode, says) => {
    const w = readableByOthersWarning('/etc/cpc/app.pem', mode);
    if (!says) return expect(w).toBeUndefined();
    expect(w).toContain(`The certificate file /etc/cpc/app.pem (${says}) can be read by other accounts`);
    expect(w).toMatch(/Run: chmod 600 \/etc\/cpc\/app\.pem$/);
  });
});

describe('browser opener', () => {
  const logger = createLogger('silent');
  it('noDesktop: Linux needs DISPLAY or WAYLAND_DISPLAY; Windows and macOS have a desktop', () => {
    expect(noDesktop({}, 'linux')).toMatch(/no desktop session/);
    expect(noDesktop({ DISPLAY: ':0' }, 'linux')).toBeUndefined();
    expect(noDesktop({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBeUndefined();
    expect(noDesktop({}, 'darwin')).toBeUndefined();
    expect(noDesktop({}, 'win32')).toBeUndefined();
  });

  it('an opener that fails is reported as not opened, with why', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cpc-open-'));
    const open = browserOpener({
      dir: path.join(dir, 'a'),
      logger,
      env: { DISPLAY: ':0' },
      platform: 'linux',
      launch: async () => Promise.reject(new Error('Exited with code 3')),
    });
    expect(await open('http://127.0.0.1:1/approve/plan-x?token=secret')).toEqual({
      opened: false,
      why: 'the browser opener failed (Exited with code 3)',
    });
  });

  it('hands the launcher a file URL, never the link; the file is 0600 and redirects to the link', async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'cpc-open-')), 'approval');
    const launched: string[] = [];
    const open = browserOpener({ dir, logger, env: { DISPLAY: ':0' }, platform: 'linux', launch: async (t) => void launched.push(t) });
    const link = 'http://127.0.0.1:1/approve/plan-x?token=s3cr3t&x="<';
    expect(await open(link)).toEqual({ opened: true });
    expect(launched).toHaveLength(1);
    expect(launched[0]).toMatch(/^file:\/\//);
    expect(launched[0]).not.toContain('s3cr3t');
    const file = fileURLToPath(launched[0]!);
    expect(readFileSync(file, 'utf8')).toBe(redirectDocument(link));
    expect(redirectDocument(link)).toContain('url=http://127.0.0.1:1/approve/plan-x?token=s3cr3t&amp;x=&quot;&lt;"');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir)).toHaveLength(1);
  });

  it('no desktop: nothing is written and nothing launched', async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'cpc-open-')), 'approval');
    let launched = false;
    const open = browserOpener({ dir, logger, env: {}, platform: 'linux', launch: async () => void (launched = true) });
    expect(await open('http://x/?token=t')).toEqual({
      opened: false,
      why: 'there is no desktop session (neither DISPLAY nor WAYLAND_DISPLAY is set)',
    });
    expect(launched).toBe(false);
  });
});
