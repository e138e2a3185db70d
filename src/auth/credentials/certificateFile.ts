// The client certificate file (AZURE_CLIENT_CERTIFICATE_PATH), checked before an identity library reads it. A file
// that is missing, unreadable or not a PEM certificate with its private key is an operator's mistake with a precise
// fix; left to the library it surfaces as a bare ENOENT, or as a sign-in that "could not reach" Entra.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export const CERTIFICATE_VARIABLE = 'AZURE_CLIENT_CERTIFICATE_PATH';

/** What is wrong with the certificate file. The message names the variable, the path and the problem; never file content. */
export class CertificateFileError extends Error {
  override readonly name = 'CertificateFileError';

  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`the certificate file ${CERTIFICATE_VARIABLE}=${path} ${problem}`);
  }
}

/** The one fix, said the same way by local sign-in and by the on-behalf-of exchange. */
export const CERTIFICATE_FIX = `Point ${CERTIFICATE_VARIABLE} at a PEM file holding the app registration's certificate and its private key, readable by the account that runs the server (a .pfx/.p12 file converts with \`openssl pkcs12 -in cert.pfx -out cert.pem -nodes\`).`;

const READ_PROBLEMS: Readonly<Record<string, string>> = {
  ENOENT: 'does not exist',
  ENOTDIR: 'does not exist (a part of the path is not a folder)',
  EISDIR: 'is a folder, not a file',
  EACCES: 'cannot be read by this account (permission denied)',
  EPERM: 'cannot be read by this account (permission denied)',
};

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/;
const KEY_BLOCK = /-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]*?-----END \1?PRIVATE KEY-----/;

/** Throws CertificateFileError when the file cannot serve as a client certificate; resolves when it can. */
export async function checkCertificateFile(path: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    throw new CertificateFileError(path, READ_PROBLEMS[code] ?? `cannot be read (${code || (err as Error).message})`);
  }
  const problem = certificateProblem(text);
  if (problem) throw new CertificateFileError(path, problem);
}

/** What keeps PEM text from being a certificate with its private key, or undefined when nothing does. */
export function certificateProblem(pem: string): string | undefined {
  const certBlock = CERTIFICATE_BLOCK.exec(pem)?.[0];
  if (!certBlock) return 'holds no PEM certificate (no "-----BEGIN CERTIFICATE-----" block)';
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certBlock);
  } catch (err) {
    return `holds a certificate that cannot be parsed (${(err as Error).message})`;
  }
  const key = KEY_BLOCK.exec(pem);
  if (!key) return 'holds a certificate but not its private key (no PEM "PRIVATE KEY" block)';
  // An encrypted key needs its password (AZURE_CLIENT_CERTIFICATE_PASSWORD), which the identity library checks itself.
  if (key[1] === 'ENCRYPTED ') return undefined;
  try {
    if (!cert.checkPrivateKey(createPrivateKey(key[0]))) return 'holds a private key that does not belong to its certificate';
  } catch (err) {
    return `holds a private key that cannot be parsed (${(err as Error).message})`;
  }
  return undefined;
}

/** A failure an identity library reported while reading the certificate file, as a CertificateFileError. */
export function certificateFailure(err: unknown, path: string | undefined): CertificateFileError | undefined {
  if (err instanceof CertificateFileError) return err;
  if (!path || !(err instanceof Error)) return undefined;
  // EnvironmentCredential keeps only the message of the file error it wraps.
  const code = (err as NodeJS.ErrnoException).code ?? /\b(ENOENT|ENOTDIR|EISDIR|EACCES|EPERM)\b/.exec(err.message)?.[1];
  const aboutFile = (err as NodeJS.ErrnoException).path === path || err.message.includes(path);
  if (code && READ_PROBLEMS[code] && (aboutFile || code === 'EISDIR')) return new CertificateFileError(path, READ_PROBLEMS[code]);
  // @azure/identity's wording when the file holds no PEM certificate.
  if (/does not contain a PEM-encoded certificate/i.test(err.message)) return new CertificateFileError(path, 'holds no PEM certificate');
  return undefined;
}
