// A second mail daemon process with only SMTP, on the database of the test
// that starts it, for cross-process delivery tests:
//   smtp-daemon-child.ts <database url> <dns server ip:port>
// prints "ready <smtp port>", stops when its stdin ends.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../mail-daemon/config.ts';
import { startDaemon } from '../../mail-daemon/daemon.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';

const [url, dnsServer] = process.argv.slice(2);
const dataDir = mkdtempSync(join(tmpdir(), 'mail-daemon-child-'));
const off = Object.fromEntries(['SUBMISSION_PORT', 'SUBMISSIONS_PORT', 'POP3_PORT', 'POP3S_PORT', 'IMAP_PORT', 'IMAPS_PORT', 'WEB_PORT'].map((name) => [name, 'off']));
const config = loadConfig({
  ...off,
  DATA_DIR: dataDir,
  DATABASE_URL: url,
  MAIL_HOSTNAME: 'mx2.example.test',
  LISTEN_HOST: '127.0.0.1',
  SMTP_PORT: '0',
  DNS_SERVERS: dnsServer,
  ALLOW_PLAINTEXT_LOOPBACK: 'true',
} as unknown as NodeJS.ProcessEnv);
const daemon = await startDaemon(config, [smtpService], () => undefined);
const port = daemon.services.flatMap((s) => s.addresses).find((a) => a.label === 'smtp')!.port;
process.stdout.write(`ready ${port}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await daemon.stop();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
