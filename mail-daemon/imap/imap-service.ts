// The daemon service for IMAP: IMAP_PORT with STARTTLS and IMAPS_PORT with
// implicit TLS, over the shared mail store.
import type { RunningService, Service } from '../startup/services.ts';
import { ImapServer } from './imap-server.ts';
import { LoginLimiter } from '../accounts/login-limiter.ts';

export const imapService: Service = async ({ config, store, tls, log, incoming, connectionLimits }) => {
  const { imap, imaps } = config.ports;
  if (imap === null && imaps === null) return null;
  const server = new ImapServer({
    store,
    hostname: config.hostname,
    tls,
    allowPlaintextLoopback: config.allowPlaintextLoopback,
    maxMessageSize: config.maxMessageSize,
    limiter: new LoginLimiter(store.database, config.login, log),
    incoming,
    connectionLimits,
    preAuthTimeoutMs: config.connections.preLoginTimeout,
    log,
  });
  const addresses: RunningService['addresses'] = [];
  try {
    await server.start();
    if (imap !== null) addresses.push({ label: 'imap', host: config.listenHost, port: await server.listen(config.listenHost, imap, false) });
    if (imaps !== null) addresses.push({ label: 'imaps', host: config.listenHost, port: await server.listen(config.listenHost, imaps, true) });
  } catch (error) {
    await server.close();
    throw error;
  }
  return { name: 'imap', addresses, stop: () => server.close() };
};
