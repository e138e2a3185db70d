import { describe, expect, it } from 'vitest';
import { chooseAuthMethod } from '../../src/auth/chooseMethod.js';
import { AUTH_METHODS, AUTH_METHOD_INFO, parseAuthMethod } from '../../src/auth/methods.js';

const SP = { AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c' };

describe('chooseAuthMethod', () => {
  const rows: Array<[string, Parameters<typeof chooseAuthMethod>[0], NodeJS.ProcessEnv, NodeJS.Platform, string]> = [
    [
      'explicit method wins over everything',
      { method: 'azurecli' },
      { CLOUDPC_MCP_ACCESS_TOKEN: 'x', ...SP, AZURE_CLIENT_SECRET: 's' },
      'win32',
      'azurecli',
    ],
    ['operator token from settings', { method: 'auto', accessToken: 'abc' }, {}, 'linux', 'token'],
    ['operator token from env', {}, { CLOUDPC_MCP_ACCESS_TOKEN: 'abc', ...SP, AZURE_CLIENT_SECRET: 's' }, 'linux', 'token'],
    ['blank operator token is ignored', { accessToken: '  ' }, { CLOUDPC_MCP_ACCESS_TOKEN: '' }, 'linux', 'devicecode'],
    ['client secret with ids', {}, { ...SP, AZURE_CLIENT_SECRET: 's' }, 'win32', 'environment'],
    ['client certificate with ids', {}, { ...SP, AZURE_CLIENT_CERTIFICATE_PATH: '/c.pem' }, 'darwin', 'environment'],
    ['secret without tenant is not enough', {}, { AZURE_CLIENT_ID: 'c', AZURE_CLIENT_SECRET: 's' }, 'linux', 'devicecode'],
    ['ids alone (a chosen app for sign-in) stay interactive', {}, { ...SP }, 'win32', 'browser'],
    [
      'environment beats workload identity',
      {},
      { ...SP, AZURE_CLIENT_SECRET: 's', AZURE_FEDERATED_TOKEN_FILE: '/f' },
      'linux',
      'environment',
    ],
    ['federated token file', {}, { ...SP, AZURE_FEDERATED_TOKEN_FILE: '/var/run/token' }, 'linux', 'workloadidentity'],
    [
      'workload beats managed identity',
      {},
      { AZURE_FEDERATED_TOKEN_FILE: '/f', IDENTITY_ENDPOINT: 'http://x' },
      'linux',
      'workloadidentity',
    ],
    ['IDENTITY_ENDPOINT', {}, { IDENTITY_ENDPOINT: 'http://localhost:42356/msi/token' }, 'win32', 'managedidentity'],
    ['MSI_ENDPOINT', {}, { MSI_ENDPOINT: 'http://127.0.0.1:41741/MSI/token/' }, 'linux', 'managedidentity'],
    ['Windows desktop', {}, {}, 'win32', 'browser'],
    ['macOS desktop', { method: 'auto' }, {}, 'darwin', 'browser'],
    ['Linux with DISPLAY', {}, { DISPLAY: ':0' }, 'linux', 'browser'],
    ['Linux with Wayland', {}, { WAYLAND_DISPLAY: 'wayland-0' }, 'linux', 'browser'],
    ['Linux without a display', {}, {}, 'linux', 'devicecode'],
    ['SSH session on macOS', {}, { SSH_CONNECTION: '1.2.3.4 5 6.7.8.9 22' }, 'darwin', 'devicecode'],
    ['SSH with X forwarding', {}, { DISPLAY: 'localhost:10.0', SSH_TTY: '/dev/pts/0' }, 'linux', 'devicecode'],
    ['Codespaces', {}, { CODESPACES: 'true', DISPLAY: ':1' }, 'linux', 'devicecode'],
    ['dev container', {}, { REMOTE_CONTAINERS: 'true' }, 'win32', 'devicecode'],
  ];

  it.each(rows)('%s', (_name, settings, env, platform, expected) => {
    const choice = chooseAuthMethod(settings, env, platform);
    expect(choice.method).toBe(expected);
    expect(choice.reason).toMatch(/\S/);
    expect(choice.reason).not.toMatch(/\n/);
  });

  it('never names a secret value in its reason', () => {
    const choice = chooseAuthMethod({}, { ...SP, AZURE_CLIENT_SECRET: 'super-secret-value' }, 'linux');
    expect(choice.reason).not.toContain('super-secret-value');
    expect(choice.reason).toMatch(/cannot retry/);
  });

  it('is pure: the same input gives the same answer and env is not modified', () => {
    const env = Object.freeze({ DISPLAY: ':0' });
    expect(chooseAuthMethod({}, env, 'linux')).toEqual(chooseAuthMethod({}, env, 'linux'));
  });
});

describe('method table', () => {
  it('describes every method, and app-only methods cannot retry', () => {
    for (const m of AUTH_METHODS) {
      const info = AUTH_METHOD_INFO[m];
      expect(info.label && info.needs && info.whenToUse).toBeTruthy();
      expect(info.canRetry).toBe(info.kind !== 'app-only');
    }
  });

  it('parses configuration values leniently', () => {
    expect(parseAuthMethod(' DeviceCode ')).toBe('devicecode');
    expect(parseAuthMethod('managed-identity')).toBe('managedidentity');
    expect(parseAuthMethod('password')).toBeUndefined();
    expect(parseAuthMethod(undefined)).toBeUndefined();
  });
});
