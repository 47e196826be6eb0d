// The SMTP listeners (smtp-server): the MX on SMTP_PORT (no AUTH, STARTTLS
// offered), and submission on SUBMISSION_PORT (STARTTLS, then AUTH) and
// SUBMISSIONS_PORT (implicit TLS, RFC 8314).
import type { SMTPServer, SMTPServerOptions, SMTPServerSession } from 'smtp-server';
import { SmtpListener, type SmtpListenerOptions } from './smtp-listener.ts';
import { SHUTDOWN_GRACE_MS, type Service, type RunningService } from '../startup/services.ts';
import { LoginLimiter } from '../accounts/login-limiter.ts';
import { createMailResolver, DNS_CACHE_MAX_MS } from '../dns/resolver.ts';
import { keepOwnEnhancedCodes } from './enhanced-status.ts';
import { findMailauthHeaderEndQuickly } from './mailauth-header-end.ts';
import { ConnectionGate, type Refusal } from '../limits/connection-gate.ts';
import { smtpError } from './smtp-error.ts';
import { onAuth } from './hooks/on-auth.ts';
import { onMailFrom } from './hooks/on-mail-from.ts';
import { onRcptTo } from './hooks/on-rcpt-to.ts';
import { withUnknownRecipientLimit } from './hooks/unknown-recipient-limit.ts';
import { srsKeysOf } from '../delivery/srs-keys.ts';
import { onData } from './hooks/on-data.ts';
import type { SmtpContext } from './smtp-context.ts';
import { isLoopback } from '../dns/loopback.ts';
import { baseModel } from '../spam/base-model.ts';
import { dnsblCheck } from './hooks/on-connect-dnsbl.ts';
import { withGreylisting } from './hooks/greylist-rcpt.ts';
import { closePreparationThread, startPreparationThread } from '../delivery/message-preparation.ts';

export const MAX_RECIPIENTS = 100;
// RFC 5321 4.5.3.1.4: a command line is at most 512 octets; allow SMTPUTF8
// addresses and ESMTP parameters some room.
export const MAX_COMMAND_LENGTH = 2048;
// RFC 5321 4.5.3.2.7: the server should wait at least 5 minutes for a command.
const SOCKET_TIMEOUT_MS = 5 * 60_000;

function listen(server: SMTPServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      // A client that misbehaves must never take the listener down.
      server.on('error', () => undefined);
      resolve((server.server.address() as { port: number }).port);
    });
  });
}

export interface SmtpServiceOptions {
  /** How long a client may stay silent before it is disconnected. */
  socketTimeoutMs?: number;
}

export function createSmtpService(options: SmtpServiceOptions = {}): Service {
  return async ({ config, store, tls, log, incoming, connectionLimits }) => {
    keepOwnEnhancedCodes();
    findMailauthHeaderEndQuickly();
    const srsKeys = () => srsKeysOf(config);
    // SPF, DKIM and DMARC answers are kept for their TTL: mail from one sender domain asks once, not per message (issue 12).
    const context: SmtpContext = { config, store, resolver: createMailResolver(config.dnsServers, { cacheMs: DNS_CACHE_MAX_MS }), log, incoming };
    const limiter = new LoginLimiter(store.database, config.login, log);
    // One gate for the three ports; a refused client hears why (RFC 5321 3.1: 421 instead of the greeting).
    const gate = new ConnectionGate(connectionLimits, 'smtp');
    const refusals: Record<Refusal, () => Error> = {
      address: () => smtpError(421, '4.7.0', 'Too many connections from your address, try again later'),
      service: () => smtpError(421, '4.3.2', 'Too many connections to this server, try again later'),
    };
    const admit = (session: SMTPServerSession, callback: (err?: Error | null) => void) => {
      const refusal = gate.refusalOf(session);
      callback(refusal ? refusals[refusal]() : null);
    };
    const common: SMTPServerOptions = {
      name: config.hostname,
      key: tls.key,
      cert: tls.cert,
      size: config.maxMessageSize,
      rejectOversized: true,
      maxRecipients: MAX_RECIPIENTS,
      maxCommandLength: MAX_COMMAND_LENGTH,
      socketTimeout: options.socketTimeoutMs ?? SOCKET_TIMEOUT_MS,
      // On stop, open sessions get this long, then 421 (RFC 5321 3.8).
      closeTimeout: SHUTDOWN_GRACE_MS,
      hideENHANCEDSTATUSCODES: false,
      hideDSN: true,
      disableReverseLookup: true,
      logger: false,
      onConnect: admit,
      // smtp-server drops the socket's listeners at STARTTLS, the gate's close listener with them.
      onClose: (session: SMTPServerSession) => gate.release(session),
    };
    const dnsbl = dnsblCheck(context);
    const inbound = (): SMTPServerOptions => ({
      ...common,
      banner: 'ready',
      disabledCommands: ['AUTH'],
      authOptional: true,
      onConnect(session, callback) {
        admit(session, (error) => (error ? callback(error) : dnsbl(session).then(() => callback(), callback)));
      },
      onMailFrom: onMailFrom(store, 'inbound', config.maxMessageSize),
      onRcptTo: withGreylisting(context, MAX_RECIPIENTS, withUnknownRecipientLimit(config.unknownRecipients, onRcptTo(store, 'inbound', srsKeys))),
      onData: onData(context, 'inbound'),
    });
    const submission = (secure: boolean): SmtpListenerOptions => ({
      ...common,
      secure,
      preLoginTimeout: config.connections.preLoginTimeout,
      banner: 'submission ready',
      authMethods: ['PLAIN', 'LOGIN'],
      authOptional: false,
      // AUTH is offered only after TLS; on loopback, tests may log in without it.
      allowInsecureAuth: config.allowPlaintextLoopback,
      onConnect(session, callback) {
        if (!session.secure && !(config.allowPlaintextLoopback && isLoopback(session.remoteAddress))) {
          (session as { disabledCommands?: string[] }).disabledCommands = ['AUTH'];
        }
        admit(session, callback);
      },
      onSecure(_socket, session, callback) {
        (session as { disabledCommands?: string[] }).disabledCommands = undefined;
        callback();
      },
      onAuth: onAuth(store, limiter, config.allowPlaintextLoopback),
      onMailFrom: onMailFrom(store, 'submission', config.maxMessageSize),
      onRcptTo: onRcptTo(store, 'submission', srsKeys),
      onData: onData(context, 'submission'),
    });

    const listeners: { label: string; port: number | null; options: () => SMTPServerOptions }[] = [
      { label: 'smtp', port: config.ports.smtp, options: inbound },
      { label: 'submission', port: config.ports.submission, options: () => submission(false) },
      { label: 'submissions', port: config.ports.submissions, options: () => submission(true) },
    ];
    const servers: SMTPServer[] = [];
    const addresses: RunningService['addresses'] = [];
    try {
      for (const listener of listeners) {
        if (listener.port === null) continue;
        const server = new SmtpListener(listener.options());
        gate.watch(server.server);
        servers.push(server);
        addresses.push({ label: listener.label, host: config.listenHost, port: await listen(server, listener.port, config.listenHost) });
      }
    } catch (error) {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(() => r(undefined)))));
      throw error;
    }
    if (servers.length === 0) return null;
    // Parsing and the junk filter's tokens of messages that come in together, off this thread (issue 12).
    void startPreparationThread(store, () => incoming.inFlight <= 1, log);
    // Loaded (or trained, on the first start) in the background, before the first message needs it.
    if (config.ports.smtp !== null) baseModel().catch((error) => log(`smtp: junk filter base model: ${error}`));
    log('smtp: listening');
    return {
      name: 'smtp',
      addresses,
      stop: async () => {
        await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
        await closePreparationThread(store);
      },
    };
  };
}

export const smtpService = createSmtpService();
