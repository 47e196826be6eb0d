// One delivery attempt of one message to the recipients at one domain: the
// hosts of its mail route in order, over SMTP with STARTTLS when offered
// (RFC 3207; opportunistic, so any certificate is accepted), with an outcome
// per recipient. A host that cannot be reached or will not talk (connection
// refused, timeout, greeting or EHLO refused, 421) hands the recipients on to
// the next host; a reply to MAIL, RCPT or DATA is the answer for this attempt.
import { createRequire } from 'node:module';
import { connect, isIP, type Socket } from 'node:net';
import type { MailHost } from './mail-routes.ts';
import { SmtpSession, type SmtpConnection, type SmtpError, type SmtpSendInfo, type SmtpSessionCache } from './smtp-session-cache.ts';

export type RecipientOutcome = 'delivered' | 'deferred' | 'failed' | 'abandoned';

export interface RecipientResult {
  address: string;
  outcome: RecipientOutcome;
  /** RFC 3463 status, e.g. 2.0.0, 4.4.1, 5.1.1. */
  status: string;
  /** The server's reply, or what went wrong when there was none. */
  detail: string;
  /** The SMTP reply, for the DSN's Diagnostic-Code; null when no server answered. */
  reply: string | null;
  /** "host [address]" of the server that answered, or null. */
  remoteMta: string | null;
}

export interface SmtpDeliveryOptions {
  port: number;
  /** The name we greet with (EHLO). */
  heloName: string;
  /** Source address for the connection, when the daemon has a fixed one. */
  localAddress?: string;
  connectionTimeoutMs?: number;
  /** Per command and for the data phase (RFC 5321 4.5.3.2 asks for minutes). */
  socketTimeoutMs?: number;
  signal?: AbortSignal;
  /** Open sessions to reuse, and where a session goes after a message that went well. */
  sessions?: SmtpSessionCache;
}

const require = createRequire(import.meta.url);
const SMTPConnection = require('nodemailer/lib/smtp-connection') as new (options: object) => SmtpConnection;

const ENHANCED_STATUS = /^[245]\d\d[ -]([245]\.\d{1,3}\.\d{1,3})\b/;

/** The RFC 3463 code in a reply, or one derived from the reply's class. */
export function replyStatus(reply: string): string {
  const enhanced = ENHANCED_STATUS.exec(reply);
  if (enhanced) return enhanced[1];
  return reply.startsWith('5') ? '5.0.0' : reply.startsWith('2') ? '2.0.0' : '4.0.0';
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim().slice(0, 500);
}

function fromReply(address: string, reply: string, remoteMta: string): RecipientResult {
  const clean = oneLine(reply);
  const outcome: RecipientOutcome = clean.startsWith('2') ? 'delivered' : clean.startsWith('5') ? 'failed' : 'deferred';
  return { address, outcome, status: replyStatus(clean), detail: clean, reply: clean, remoteMta };
}

/** The connection failed or the host would not take mail: try the next one. */
class HostFailure extends Error {
  constructor(
    message: string,
    readonly reply: string | null,
    readonly tlsFailed = false,
  ) {
    super(message);
  }
}

/**
 * A TCP connection with Nagle's algorithm off, handed to nodemailer already
 * open: otherwise the small last write of a transaction (the dot that ends
 * DATA) waits for the server's delayed ACK, some 40 ms per message.
 */
function openSocket(address: string, options: SmtpDeliveryOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(Object.assign(new Error('delivery abandoned'), { code: 'EABORT' }));
    const local = options.localAddress && isIP(options.localAddress) === isIP(address) ? options.localAddress : undefined;
    const socket = connect({ host: address, port: options.port, localAddress: local, noDelay: true });
    const settle = (error?: Error) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      socket.off('error', settle);
      if (!error) return resolve(socket);
      socket.destroy();
      reject(error);
    };
    const abort = () => settle(Object.assign(new Error('delivery abandoned'), { code: 'EABORT' }));
    const timer = setTimeout(() => settle(Object.assign(new Error('connection timed out'), { code: 'ETIMEDOUT' })), options.connectionTimeoutMs ?? 30_000);
    options.signal?.addEventListener('abort', abort, { once: true });
    socket.once('connect', () => settle());
    socket.once('error', settle);
  });
}

function isHostFailure(error: SmtpError): boolean {
  if (error.responseCode === 421) return true;
  return error.code !== 'EENVELOPE' && error.code !== 'EMESSAGE';
}

async function attemptSession(
  host: MailHost,
  address: string,
  envelope: { from: string; recipients: string[] },
  raw: Buffer,
  options: SmtpDeliveryOptions,
  useTls: boolean,
): Promise<RecipientResult[]> {
  const remoteMta = `${host.name} [${address}]`;
  const key = `${address} ${options.port} ${useTls} ${options.localAddress ?? ''} ${options.heloName}`;
  const session = (await options.sessions?.take(key)) ?? (await openSession(host, address, options, useTls, remoteMta));
  const { connection } = session;
  const abort = () => session.abandon();
  let finished = false;
  options.signal?.addEventListener('abort', abort, { once: true });
  const failed = session.dropped;

  try {
    const message = { from: envelope.from, to: envelope.recipients, size: raw.length, use8BitMime: raw.some((b) => b > 127) };
    let info: SmtpSendInfo;
    try {
      info = await Promise.race([failed, new Promise<SmtpSendInfo>((resolve, reject) => connection.send(message, raw, (e, i) => (e ? reject(e) : resolve(i))))]);
    } catch (error) {
      const e = error as SmtpError;
      if (e.code === 'EABORT') throw e;
      if (isHostFailure(e)) throw new HostFailure(`${remoteMta}: ${oneLine(e.message)}`, e.response ? oneLine(e.response) : null);
      const rejections = e.rejectedErrors ?? connection._envelope?.rejectedErrors ?? [];
      const byRecipient = new Map(rejections.map((r) => [r.recipient, r.response ?? '']));
      // The reply to MAIL FROM or DATA, or a message too big for the server's SIZE.
      const common = e.response ?? '552 5.3.4 message too big for the receiving server';
      return envelope.recipients.map((rcpt) => fromReply(rcpt, byRecipient.get(rcpt) || common, remoteMta));
    }
    finished = true;
    if (options.sessions) options.sessions.put(key, session);
    else connection.quit();
    const byRecipient = new Map((info.rejectedErrors ?? []).map((r) => [r.recipient, r.response ?? '']));
    return envelope.recipients.map((rcpt) => fromReply(rcpt, byRecipient.get(rcpt) || info.response, remoteMta));
  } finally {
    options.signal?.removeEventListener('abort', abort);
    if (!finished) connection.close();
  }
}

/** A new connection to the host, greeted (EHLO, STARTTLS when offered and wanted). */
async function openSession(host: MailHost, address: string, options: SmtpDeliveryOptions, useTls: boolean, remoteMta: string): Promise<SmtpSession> {
  const socket = await openSocket(address, options).catch((error: SmtpError) => {
    if (error.code === 'EABORT') throw error;
    throw new HostFailure(`${remoteMta}: ${oneLine(error.message)}`, null);
  });
  const connection = new SMTPConnection({
    connection: socket,
    host: address,
    port: options.port,
    name: options.heloName,
    opportunisticTLS: true,
    ignoreTLS: !useTls,
    tls: { rejectUnauthorized: false, ...(isIP(host.name) ? {} : { servername: host.name }) },
    connectionTimeout: options.connectionTimeoutMs ?? 30_000,
    greetingTimeout: options.connectionTimeoutMs ?? 30_000,
    socketTimeout: options.socketTimeoutMs ?? 5 * 60_000,
    logger: false,
  });
  const session = new SmtpSession(connection);
  const abort = () => session.abandon();
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    await Promise.race([session.dropped, new Promise<void>((resolve, reject) => connection.connect((e) => (e ? reject(e) : resolve())))]);
    return session;
  } catch (error) {
    connection.close();
    const e = error as SmtpError;
    if (e.code === 'EABORT') throw e;
    // A failed handshake surfaces as ETLS or as a socket error from OpenSSL
    // (which carries `library`) while the connection is being upgraded.
    const tlsFailed = e.code === 'ETLS' || connection.upgrading === true || typeof e.library === 'string';
    throw new HostFailure(`${remoteMta}: ${oneLine(e.message)}`, e.response ? oneLine(e.response) : null, tlsFailed);
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
}

export async function deliverOverSmtp(
  hosts: MailHost[],
  envelope: { from: string; recipients: string[] },
  raw: Buffer,
  options: SmtpDeliveryOptions,
): Promise<RecipientResult[]> {
  const problems: string[] = [];
  let lastReply: string | null = null;
  let lastMta: string | null = null;
  for (const host of hosts) {
    for (const address of host.addresses) {
      for (const useTls of [true, false]) {
        if (options.signal?.aborted) return abandoned(envelope.recipients);
        try {
          return await attemptSession(host, address, envelope, raw, options, useTls);
        } catch (error) {
          if ((error as SmtpError).code === 'EABORT') return abandoned(envelope.recipients);
          if (!(error instanceof HostFailure)) throw error;
          problems.push(error.message);
          lastReply = error.reply;
          lastMta = `${host.name} [${address}]`;
          // Opportunistic TLS that fails the handshake: the same host again in plain text.
          if (!(useTls && error.tlsFailed)) break;
        }
      }
    }
  }
  // RFC 3463 X.4.1: no answer from host; X.4.7 would be the final give-up.
  const detail = problems.length > 0 ? problems.slice(-3).join('; ') : 'no mail host to try';
  return envelope.recipients.map((address) => ({
    address,
    outcome: 'deferred' as const,
    status: lastReply ? replyStatus(lastReply).replace(/^5/, '4') : '4.4.1',
    detail,
    reply: lastReply,
    remoteMta: lastMta,
  }));
}

function abandoned(recipients: string[]): RecipientResult[] {
  return recipients.map((address) => ({ address, outcome: 'abandoned' as const, status: '4.3.2', detail: 'abandoned: the queue stopped', reply: null, remoteMta: null }));
}
