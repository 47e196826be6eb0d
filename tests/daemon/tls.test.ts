import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import tls from 'node:tls';
import { generate } from 'selfsigned';
import { loadConfig } from '../../mail-daemon/config/config.ts';
import { createSecureContextFor, loadTlsCredentials, type TlsCredentials } from '../../mail-daemon/startup/tls.ts';
import { execFile, spawnSync } from 'node:child_process';
import { pop3Service } from '../../mail-daemon/pop3/pop3-service.ts';
import { startTestDaemon } from '../support/daemon.ts';

// .ci/run installs fetchmail, so CI never skips the fetchmail test.
const hasFetchmail = process.env.CI === 'true' || spawnSync('sh', ['-c', 'command -v fetchmail']).status === 0;

const workDir = mkdtempSync(join(tmpdir(), 'tls-test-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

let dirCount = 0;
function freshConfig(env: Record<string, string> = {}) {
  const dataDir = join(workDir, `data-${++dirCount}`);
  const vars: Record<string, string> = { DATA_DIR: dataDir, MAIL_HOSTNAME: 'mail.example.test', ...env };
  // Next.js's types make NODE_ENV a required member of ProcessEnv.
  return loadConfig(vars as NodeJS.ProcessEnv);
}

/** Serves creds on 127.0.0.1 and returns the certificate the client saw. */
async function handshake(creds: TlsCredentials, servername: string) {
  const server = tls.createServer({ key: creds.key, cert: creds.cert }, (socket) => socket.end('hello\r\n'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const client = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false });
    await once(client, 'secureConnect');
    const peer = client.getPeerCertificate();
    const protocol = client.getProtocol();
    const [greeting] = await once(client, 'data');
    client.destroy();
    return { peer, protocol, greeting: String(greeting) };
  } finally {
    server.close();
  }
}

describe('self-signed certificate', () => {
  test('is generated on first start with the required properties', async () => {
    const config = freshConfig();
    const creds = await loadTlsCredentials(config);
    assert.equal(creds.generated, true);
    assert.equal(creds.certFile, join(config.dataDir, 'tls', 'cert.pem'));
    assert.equal(creds.keyFile, join(config.dataDir, 'tls', 'key.pem'));
    assert.equal(readFileSync(creds.certFile, 'utf8'), String(creds.cert));
    assert.equal(readFileSync(creds.keyFile, 'utf8'), String(creds.key));
    assert.equal(statSync(creds.keyFile).mode & 0o777, 0o600);

    const x509 = new X509Certificate(creds.cert);
    assert.equal(x509.subject, 'CN=mail.example.test');
    assert.equal(x509.issuer, x509.subject);
    assert.equal(x509.publicKey.asymmetricKeyType, 'rsa');
    assert.equal(x509.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal(x509.ca, false);
    assert.ok(x509.verify(x509.publicKey), 'self-signed');
    assert.match(x509.subjectAltName ?? '', /DNS:mail\.example\.test/);
    assert.match(x509.subjectAltName ?? '', /DNS:localhost/);
    assert.match(x509.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.equal(x509.checkHost('mail.example.test'), 'mail.example.test');
    assert.equal(x509.checkIP('127.0.0.1'), '127.0.0.1');

    const years = (Date.parse(x509.validTo) - Date.now()) / (365.25 * 86_400_000);
    assert.ok(years > 9.9 && years < 10.1, `valid for ${years} years`);
    assert.ok(Date.parse(x509.validFrom) <= Date.now());
  });

  test('is reused on later starts, byte for byte', async () => {
    const config = freshConfig();
    const first = await loadTlsCredentials(config);
    const second = await loadTlsCredentials(config);
    assert.equal(first.generated, true);
    assert.equal(second.generated, false);
    assert.deepEqual(Buffer.from(second.cert), Buffer.from(first.cert));
    assert.deepEqual(Buffer.from(second.key), Buffer.from(first.key));
  });

  test('is made anew when MAIL_HOSTNAME changes', async () => {
    const config = freshConfig();
    const first = await loadTlsCredentials(config);
    const renamed = await loadTlsCredentials({ ...config, hostname: 'mx.example.test' });
    assert.equal(renamed.generated, true);
    assert.notDeepEqual(Buffer.from(renamed.cert), Buffer.from(first.cert));
    assert.equal(new X509Certificate(readFileSync(renamed.certFile)).subject, 'CN=mx.example.test');
  });

  test('names LISTEN_HOST when it is one address, as an IP and as a DNS name', async () => {
    const creds = await loadTlsCredentials(freshConfig({ LISTEN_HOST: '127.0.10.3' }));
    const x509 = new X509Certificate(creds.cert);
    assert.equal(x509.checkIP('127.0.10.3'), '127.0.10.3');
    assert.match(x509.subjectAltName ?? '', /DNS:127\.0\.10\.3/);
    // A wildcard address names nothing beyond the loopback addresses.
    const any = new X509Certificate((await loadTlsCredentials(freshConfig({ LISTEN_HOST: '0.0.0.0' }))).cert);
    assert.equal(any.checkIP('0.0.0.0'), undefined);
    assert.equal(any.checkIP('127.0.0.1'), '127.0.0.1');
  });

  test('is made anew when LISTEN_HOST changes to an address it does not name', async () => {
    const config = freshConfig({ LISTEN_HOST: '127.0.10.3' });
    const first = await loadTlsCredentials(config);
    assert.equal((await loadTlsCredentials(config)).generated, false);
    const moved = await loadTlsCredentials({ ...config, listenHost: '127.0.10.4' });
    assert.equal(moved.generated, true);
    assert.notDeepEqual(moved.cert, first.cert);
    assert.equal(new X509Certificate(moved.cert).checkIP('127.0.10.4'), '127.0.10.4');
  });

  test('fetchmail given the listening address sees no name mismatch', { skip: hasFetchmail ? false : 'fetchmail is not installed (apt-get install -y fetchmail)' }, async () => {
    const daemon = await startTestDaemon('sqlite', [pop3Service], { LISTEN_HOST: '127.0.10.3' });
    try {
      const home = mkdtempSync(join(workDir, 'fetchmail-'));
      const rc = join(home, 'fetchmailrc');
      writeFileSync(
        rc,
        `poll 127.0.10.3 with proto POP3 service ${daemon.port('pop3s')} and options no dns\n  user "nobody@example.test" there with password "wrong" is "root" here\n  options ssl no sslcertck\n`,
        { mode: 0o600 },
      );
      // Not spawnSync: the daemon answering fetchmail runs in this process.
      const output = await new Promise<string>((resolve) =>
        execFile('fetchmail', ['-f', rc, '--nosyslog', '-v', '-t', '30'], { env: { ...process.env, HOME: home } }, (_error, stdout, stderr) => resolve(stdout + stderr)),
      );
      assert.match(output, /Subject Alternative Name: 127\.0\.10\.3/, output);
      assert.doesNotMatch(output, /mismatch/i);
    } finally {
      await daemon.dispose();
    }
  });

  test('is made anew when the stored files are damaged or do not match', async () => {
    const config = freshConfig();
    const first = await loadTlsCredentials(config);
    const other = await generate([{ name: 'commonName', value: 'mail.example.test' }], { keySize: 2048 });
    writeFileSync(first.keyFile, other.private);
    const mismatched = await loadTlsCredentials(config);
    assert.equal(mismatched.generated, true);

    writeFileSync(mismatched.certFile, 'not a certificate');
    assert.equal((await loadTlsCredentials(config)).generated, true);

    rmSync(mismatched.keyFile);
    assert.equal((await loadTlsCredentials(config)).generated, true);
  });

  test('serves a real TLS handshake', async () => {
    const creds = await loadTlsCredentials(freshConfig());
    const { peer, protocol, greeting } = await handshake(creds, 'mail.example.test');
    assert.equal(peer.subject.CN, 'mail.example.test');
    assert.match(peer.subjectaltname ?? '', /DNS:mail\.example\.test/);
    assert.match(peer.subjectaltname ?? '', /IP Address:127\.0\.0\.1/);
    assert.equal(peer.fingerprint256, new X509Certificate(creds.cert).fingerprint256);
    assert.match(protocol ?? '', /^TLSv1\.[23]$/);
    assert.equal(greeting, 'hello\r\n');
  });

  test('createSecureContextFor gives a context a server can use through SNI', async () => {
    const creds = await loadTlsCredentials(freshConfig());
    const context = createSecureContextFor(creds);
    const server = tls.createServer({ SNICallback: (_name, done) => done(null, context) }, (socket) => socket.end());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const client = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false });
      await once(client, 'secureConnect');
      assert.equal(client.getPeerCertificate().subject.CN, 'mail.example.test');
      client.destroy();
    } finally {
      server.close();
    }
  });
});

describe('TLS_CERT and TLS_KEY', () => {
  async function writePair(name: string, commonName: string) {
    const pems = await generate([{ name: 'commonName', value: commonName }], { keySize: 2048, algorithm: 'sha256' });
    const certFile = join(workDir, `${name}-cert.pem`);
    const keyFile = join(workDir, `${name}-key.pem`);
    writeFileSync(certFile, pems.cert);
    writeFileSync(keyFile, pems.private);
    return { certFile, keyFile, pems };
  }

  test('are used as they are and nothing is generated', async () => {
    const { certFile, keyFile, pems } = await writePair('provided', 'provided.example.test');
    const config = freshConfig({ TLS_CERT: certFile, TLS_KEY: keyFile });
    const creds = await loadTlsCredentials(config);
    assert.equal(creds.generated, false);
    assert.equal(creds.certFile, certFile);
    assert.equal(String(creds.cert), pems.cert);
    assert.equal(String(creds.key), pems.private);
    assert.equal(existsSync(join(config.dataDir, 'tls')), false);

    const { peer } = await handshake(creds, 'provided.example.test');
    assert.equal(peer.subject.CN, 'provided.example.test');
  });

  test('a key that does not belong to the certificate is refused', async () => {
    const a = await writePair('a', 'a.example.test');
    const b = await writePair('b', 'b.example.test');
    const config = freshConfig({ TLS_CERT: a.certFile, TLS_KEY: b.keyFile });
    await assert.rejects(loadTlsCredentials(config), /TLS_CERT ".*a-cert\.pem" and TLS_KEY ".*b-key\.pem" cannot be used: the key does not belong to the certificate/);
  });

  test('a file that is not PEM is refused', async () => {
    const a = await writePair('c', 'c.example.test');
    const junk = join(workDir, 'junk.pem');
    writeFileSync(junk, 'junk');
    await assert.rejects(loadTlsCredentials(freshConfig({ TLS_CERT: junk, TLS_KEY: a.keyFile })), /the certificate is not a PEM certificate/);
    await assert.rejects(loadTlsCredentials(freshConfig({ TLS_CERT: a.certFile, TLS_KEY: junk })), /the key is not a PEM private key/);
  });
});
