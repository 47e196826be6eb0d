// `npm run daemon`: the mail daemon. Reads the configuration, applies the
// migrations and starts every service whose port is not "off".
import { loadEntryConfig } from '../config/entry-config.ts';
import { startDaemon } from './daemon.ts';
import type { Service } from './services.ts';
import { outboundQueue } from '../queue/outbound-queue.ts';
import { pop3Service } from '../pop3/pop3-service.ts';
import { smtpService } from '../smtp/smtp-service.ts';
import { imapService } from '../imap/imap-service.ts';
import { metricsService } from '../metrics/metrics-service.ts';

// Protocol services are added here as they are built (SMTP, POP3, IMAP, queue).
const SERVICES: Service[] = [
  smtpService,
  pop3Service,
  imapService,
  outboundQueue(),
  metricsService,
];

async function main(): Promise<void> {
  const entry = loadEntryConfig((m) => console.error(`mail-daemon: ${m}`));
  if (!entry) process.exit(1);
  const { config } = entry;
  const daemon = await startDaemon(config, SERVICES, (m) => console.log(`mail-daemon: ${m}`));
  console.log(`mail-daemon: running as ${config.hostname} on ${config.databaseUrl.startsWith('file:') ? 'SQLite' : 'PostgreSQL'}`);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`mail-daemon: ${signal}, stopping`);
    await daemon.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // Keep running while the services' sockets (or nothing yet) hold the loop.
  setInterval(() => undefined, 1 << 30);
}

main().catch((error) => {
  console.error(`mail-daemon: ${error?.stack ?? error}`);
  process.exit(1);
});
