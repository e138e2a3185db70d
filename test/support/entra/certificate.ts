// A throw-away TLS certificate for 127.0.0.1, made with the openssl command that this machine image (and CI, the
// same image) ships. @azure/identity and MSAL only talk https, so the Entra stand-in needs one (as does any other TLS
// stand-in); the spawned server trusts it through NODE_EXTRA_CA_CERTS, which Node reads at process start.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestCertificate {
  /** PEM of the self-signed certificate: give its path to NODE_EXTRA_CA_CERTS. */
  certPem: string;
  keyPem: string;
  certPath: string;
  remove(): void;
}

export function createTestCertificate(): TestCertificate {
  const dir = mkdtempSync(path.join(tmpdir(), 'cloudpc-mcp-cert-'));
  const certPath = path.join(dir, 'cert.pem');
  const keyPath = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return {
    certPem: readFileSync(certPath, 'utf8'),
    keyPem: readFileSync(keyPath, 'utf8'),
    certPath,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
