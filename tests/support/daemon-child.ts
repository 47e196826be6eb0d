// A second mail daemon process on the database of the test or benchmark that
// starts it, for cross-process tests and for measuring a daemon on its own:
//   daemon-child.ts <database url> <services: smtp,imap,pop3> <dns server ip:port> [NAME=value ...]
// prints "ready <label>=<port> ..." for its listeners and stops when its
// stdin ends. NAME=value arguments are settings on top of the defaults below.
import { mkdtempSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import v8 from 'node:v8';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../mail-daemon/config/config.ts';
import { startDaemon } from '../../mail-daemon/startup/daemon.ts';
import type { Service } from '../../mail-daemon/startup/services.ts';
import { imapService } from '../../mail-daemon/imap/imap-service.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';
import { pop3Service } from '../../mail-daemon/pop3/pop3-service.ts';
import { metricsRegistry } from '../../mail-daemon/metrics/metrics.ts';

const SERVICES: Record<string, { service: Service; ports: string[] }> = {
  smtp: { service: smtpService, ports: ['SMTP_PORT'] },
  imap: { service: imapService, ports: ['IMAP_PORT', 'IMAPS_PORT'] },
  pop3: { service: pop3Service, ports: ['POP3_PORT', 'POP3S_PORT'] },
};
const ALL_PORTS = ['SMTP_PORT', 'SUBMISSION_PORT', 'SUBMISSIONS_PORT', 'POP3_PORT', 'POP3S_PORT', 'IMAP_PORT', 'IMAPS_PORT', 'WEB_PORT'];

const [url, serviceList, dnsServer = '127.0.0.1:9', ...settings] = process.argv.slice(2);
const chosen = serviceList.split(',').map((name) => {
  if (!SERVICES[name]) throw new Error(`unknown service ${name}`);
  return SERVICES[name];
});
const dataDir = mkdtempSync(join(tmpdir(), 'mail-daemon-child-'));
const ports = Object.fromEntries(ALL_PORTS.map((name) => [name, chosen.some((c) => c.ports.includes(name)) ? '0' : 'off']));
const config = loadConfig({
  ...ports,
  DATA_DIR: dataDir,
  DATABASE_URL: url,
  MAIL_HOSTNAME: 'mx2.example.test',
  LISTEN_HOST: '127.0.0.1',
  DNS_SERVERS: dnsServer,
  ALLOW_PLAINTEXT_LOOPBACK: 'true',
  ...Object.fromEntries(settings.map((s) => [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)])),
} as unknown as NodeJS.ProcessEnv);
const daemon = await startDaemon(config, chosen.map((c) => c.service), () => undefined);
const addresses = daemon.services.flatMap((s) => s.addresses);
process.stdout.write(`ready ${addresses.map((a) => `${a.label}=${a.port}`).join(' ')}\n`);
// "allocation start", then "allocation stop": the child answers "allocated
// <bytes>", what its main thread's JavaScript allocated in between (every
// garbage collection's heap before it less the heap after the one before,
// v8.GCProfiler), for benchmarks that count bytes per message (issue 12).
// "stages": the child answers "stages <JSON>", prom-client's values of its
// mail_delivery_stage_seconds so far (tests/support/delivery-stages.ts).
let allocation: { profiler: v8.GCProfiler; heapBefore: number } | null = null;
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'allocation start') {
    allocation = { profiler: new v8.GCProfiler(), heapBefore: v8.getHeapStatistics().used_heap_size };
    allocation.profiler.start();
  } else if (line === 'allocation stop' && allocation) {
    const heapNow = v8.getHeapStatistics().used_heap_size;
    let allocated = 0;
    let heapAfterLast = allocation.heapBefore;
    for (const gc of allocation.profiler.stop()?.statistics ?? []) {
      allocated += gc.beforeGC.heapStatistics.usedHeapSize - heapAfterLast;
      heapAfterLast = gc.afterGC.heapStatistics.usedHeapSize;
    }
    allocation = null;
    process.stdout.write(`allocated ${allocated + heapNow - heapAfterLast}\n`);
  } else if (line === 'stages') {
    void metricsRegistry
      .getSingleMetric('mail_delivery_stage_seconds')!
      .get()
      .then(
        (metric) => process.stdout.write(`stages ${JSON.stringify(metric.values)}\n`),
        (error) => process.stdout.write(`stages failed: ${error}\n`),
      );
  }
});
process.stdin.on('end', async () => {
  await daemon.stop();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
