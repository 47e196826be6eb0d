// The daemon service for POP3: POP3_PORT with STLS and POP3S_PORT with
// implicit TLS, over the shared mail store. The maildrop is the INBOX.
import type { RunningService, Service } from '../startup/services.ts';
import { Pop3Server } from './pop3-server.ts';
import { LoginLimiter } from '../accounts/login-limiter.ts';

export const pop3Service: Service = async ({ config, store, tls, log, connectionLimits }) => {
  const { pop3, pop3s } = config.ports;
  if (pop3 === null && pop3s === null) return null;
  const server = new Pop3Server({
    store,
    hostname: config.hostname,
    tls,
    allowPlaintextLoopback: config.allowPlaintextLoopback,
    limiter: new LoginLimiter(store.database, config.login, log),
    connectionLimits,
    preLoginTimeoutMs: config.connections.preLoginTimeout,
    log,
  });
  const addresses: RunningService['addresses'] = [];
  try {
    if (pop3 !== null) addresses.push({ label: 'pop3', host: config.listenHost, port: await server.listen(config.listenHost, pop3, false) });
    if (pop3s !== null) addresses.push({ label: 'pop3s', host: config.listenHost, port: await server.listen(config.listenHost, pop3s, true) });
  } catch (error) {
    await server.close();
    throw error;
  }
  return { name: 'pop3', addresses, stop: () => server.close() };
};
