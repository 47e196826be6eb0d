// The mail daemon process (main.ts loads it once its signal handlers are in
// place): every service whose port is not "off", until `stopping` is aborted.
import { loadEntryConfig } from '../config/entry-config.ts';
import { startDaemon } from './daemon.ts';
import type { Service } from './services.ts';
import { stopRequested } from './stop-signals.ts';
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

/** Runs the daemon until `stopping` is aborted; the exit code. */
export async function runDaemon(stopping: AbortSignal): Promise<number> {
  const entry = loadEntryConfig((m) => console.error(`mail-daemon: ${m}`));
  if (!entry) return 1;
  const { config } = entry;
  let daemon;
  try {
    daemon = await startDaemon(config, SERVICES, (m) => console.log(`mail-daemon: ${m}`), stopping);
  } catch (error) {
    // Asked to stop during start-up: what had started is stopped already.
    if (stopping.aborted && error === stopping.reason) return 0;
    throw error;
  }
  console.log(`mail-daemon: running as ${config.hostname} on ${config.databaseUrl.startsWith('file:') ? 'SQLite' : 'PostgreSQL'}`);
  // Keep running while the services' sockets (or nothing yet) hold the loop.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  await stopRequested(stopping);
  await daemon.stop();
  clearInterval(keepAlive);
  return 0;
}
