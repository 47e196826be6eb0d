// The certificate and key every TLS listener (SMTPS, STARTTLS, POP3S, IMAPS)
// serves. With TLS_CERT and TLS_KEY the operator's files are used as they are.
// Without them a self-signed certificate is made on first start and kept in
// <DATA_DIR>/tls, so clients that pinned it on first use keep trusting it
// across restarts.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import { generate } from 'selfsigned';
import type { Config } from '../config/config.ts';

export interface TlsCredentials {
  key: Buffer | string;
  cert: Buffer | string;
  /** True when this call made a new self-signed certificate. */
  generated: boolean;
  /** Where the certificate and key were read from or written to, for the start-up log. */
  certFile: string;
  keyFile: string;
}

export type TlsConfig = Pick<Config, 'dataDir' | 'hostname' | 'tls' | 'listenHost'>;

/**
 * The addresses a generated certificate names besides the loopback ones:
 * LISTEN_HOST when it is one address (not 0.0.0.0 or ::), since clients that
 * are given that address check it against the certificate (fetchmail warned
 * "CommonName mismatch" on 127.0.0.3).
 */
function listenAddresses(config: TlsConfig): string[] {
  const host = config.listenHost;
  return host && isIP(host) && host !== '0.0.0.0' && host !== '::' ? [host] : [];
}

const VALIDITY_YEARS = 10;
// Starts an hour early so that a client whose clock is a little behind does
// not see a certificate that is not yet valid.
const BACKDATE_MS = 3_600_000;

export async function loadTlsCredentials(config: TlsConfig): Promise<TlsCredentials> {
  if (config.tls) {
    const { certFile, keyFile } = config.tls;
    const [cert, key] = await Promise.all([readFile(certFile), readFile(keyFile)]);
    const problem = pairProblem(cert, key);
    if (problem) throw new Error(`TLS_CERT "${certFile}" and TLS_KEY "${keyFile}" cannot be used: ${problem}`);
    return { cert, key, generated: false, certFile, keyFile };
  }

  const dir = join(config.dataDir, 'tls');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const stored = await readStored(certFile, keyFile);
  if (stored && reusable(stored.cert, stored.key, config.hostname, listenAddresses(config))) {
    return { ...stored, generated: false, certFile, keyFile };
  }

  const { cert, key } = await generateSelfSigned(config.hostname, listenAddresses(config));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Key first, each through a temporary file and a rename, so that a crash
  // never leaves a half-written PEM behind; a mismatched pair left by a crash
  // between the two renames fails reusable() and is made anew.
  await writeAtomically(keyFile, key, 0o600);
  await writeAtomically(certFile, cert, 0o644);
  return { cert, key, generated: true, certFile, keyFile };
}

/** A secure context for smtp-server's SNI callback or tls.createServer({ SNICallback }). */
export function createSecureContextFor(creds: Pick<TlsCredentials, 'key' | 'cert'>): SecureContext {
  return createSecureContext({ key: creds.key, cert: creds.cert });
}

async function readStored(certFile: string, keyFile: string): Promise<{ cert: Buffer; key: Buffer } | null> {
  try {
    const [cert, key] = await Promise.all([readFile(certFile), readFile(keyFile)]);
    return { cert, key };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Why the certificate and key cannot serve together, or null when they can. */
function pairProblem(cert: Buffer, key: Buffer): string | null {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (error) {
    return `the certificate is not a PEM certificate (${(error as Error).message})`;
  }
  try {
    if (!x509.checkPrivateKey(createPrivateKey(key))) return 'the key does not belong to the certificate';
  } catch (error) {
    return `the key is not a PEM private key (${(error as Error).message})`;
  }
  return null;
}

// A stored certificate is made anew when it is unreadable, expired, or no
// longer names MAIL_HOSTNAME or LISTEN_HOST (the operator changed them).
function reusable(cert: Buffer, key: Buffer, hostname: string, addresses: string[]): boolean {
  if (pairProblem(cert, key)) return false;
  const x509 = new X509Certificate(cert);
  return Date.parse(x509.validTo) > Date.now() && x509.checkHost(hostname) !== undefined && addresses.every((ip) => x509.checkIP(ip) !== undefined);
}

async function generateSelfSigned(hostname: string, addresses: string[]): Promise<{ cert: string; key: string }> {
  const notBeforeDate = new Date(Date.now() - BACKDATE_MS);
  const notAfterDate = new Date(notBeforeDate);
  notAfterDate.setFullYear(notAfterDate.getFullYear() + VALIDITY_YEARS);
  // The address is a DNS name too: fetchmail and other older clients match
  // the name they were given against CN and DNS names only (RFC 6125 wants
  // iPAddress entries, which are there as well).
  const dnsNames = [...new Set([hostname, 'localhost', ...addresses])];
  const pems = await generate([{ name: 'commonName', value: hostname }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...dnsNames.map((value) => ({ type: 2 as const, value })),
          ...[...new Set(['127.0.0.1', '::1', ...addresses])].map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

async function writeAtomically(path: string, data: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temporary, data, { mode, flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
