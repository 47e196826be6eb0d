// Starting and stopping the daemon's services over one store. Tests start a
// whole daemon in-process with startDaemon(config) on ports 0.
import type { Config } from '../config/config.ts';
import { loadTlsCredentials } from './tls.ts';
import { closeMailStore, createMailStore } from '../store/context.ts';
import { startDeliveryThread } from '../store/delivery-writer.ts';
import { applyMigrations } from '../../prisma/migrate.ts';
import { makePrivateDirectory } from '../../prisma/sqlite-file.ts';
import { openDatabase } from '../../prisma/database.ts';
import type { DaemonContext, RunningService, Service } from './services.ts';
import { IncomingMessageBudget } from '../limits/incoming-message-budget.ts';
import { connectionLimitsFor } from '../limits/connection-gate.ts';
import { raiseOpenFilesLimit } from './open-files-limit.ts';
import { credentialCache } from '../accounts/credential-cache.ts';

export interface RunningDaemon {
  context: DaemonContext;
  services: RunningService[];
  stop(): Promise<void>;
}

/**
 * Starts the services in turn. When `stopping` is aborted during start-up
 * (SIGTERM, Ctrl-C), the step under way finishes (a migration is never cut
 * short), what has started is stopped, and it throws `stopping.reason`.
 */
export async function startDaemon(
  config: Config,
  services: Service[],
  log: (message: string) => void = console.log,
  stopping?: AbortSignal,
): Promise<RunningDaemon> {
  // First, before anything holds descriptors: the limit sizes the connection caps.
  const openFiles = raiseOpenFilesLimit();
  const connectionLimits = connectionLimitsFor(config.connections, openFiles.soft);
  const lowered = connectionLimits.perService < config.connections.perService ? ' (lowered to fit)' : '';
  log(`open files limit: ${openFiles.note}; connections: ${connectionLimits.perAddress} per client address, ${connectionLimits.perService} per service${lowered}`);
  // DATA_DIR holds the SQLite files, the TLS key and the web's session secret: the owner's alone.
  makePrivateDirectory(config.dataDir);
  credentialCache.ttlMs = config.authCacheTtlMs;
  stopping?.throwIfAborted();
  const applied = await applyMigrations(config.databaseUrl);
  if (applied.length > 0) log(`applied migrations: ${applied.join(', ')}`);
  stopping?.throwIfAborted();
  const store = createMailStore(await openDatabase(config.databaseUrl));
  const running: RunningService[] = [];
  const stop = async () => {
    // Together, so that each service's grace for open sessions runs at once.
    await Promise.all(running.map((service) => service.stop().catch((e) => log(`stopping ${service.name}: ${e}`))));
    await closeMailStore(store);
  };
  try {
    const incoming = new IncomingMessageBudget(config.messageMemoryLimit, config.maxMessageSize);
    // Deliveries commit on a thread of their own: the fsync (SQLite), the
    // statement and the search texts (PostgreSQL) off the event loop; on
    // SQLite, not when the message is the only one coming in (issue 12).
    startDeliveryThread(store, () => incoming.inFlight <= 1);
    const tls = await loadTlsCredentials(config);
    if (tls.generated) log(`generated a self-signed certificate for ${config.hostname} in ${tls.certFile}`);
    const context: DaemonContext = { config, store, tls, log, incoming, connectionLimits };
    for (const service of services) {
      stopping?.throwIfAborted();
      const started = await service(context);
      if (!started) continue;
      running.push(started);
      for (const a of started.addresses) log(`${started.name}: ${a.label} on ${a.host}:${a.port}`);
    }
    stopping?.throwIfAborted();
    return { context, services: running, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
