// One delivery attempt of one message to the recipients at one domain: the
// hosts of its mail route in order, over SMTP with STARTTLS when offered
// (RFC 3207; opportunistic, so any certificate is accepted), with an outcome
// per recipient. A host that cannot be reached or will not talk (connection
// refused, timeout, greeting or EHLO refused, 421) hands the recipients on to
// the next host; a reply to MAIL, RCPT or DATA is the answer for this attempt.
import { connect, isIP, type Socket } from 'node:net';
import type { MailHost } from './mail-routes.ts';
import { SmtpClient, SmtpConnectionError, type SmtpReply, type TransactionReplies } from './smtp-client.ts';
import type { SmtpSessionCache } from './smtp-session-cache.ts';

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
 * A TCP connection with Nagle's algorithm off, handed to the client already
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

const errorCode = (error: unknown) => (error as { code?: string })?.code;

/** Each recipient's outcome from the replies of its transaction. */
function outcomes(envelope: { recipients: string[] }, replies: TransactionReplies, remoteMta: string): RecipientResult[] {
  const { mail, rcpts, data, final } = replies;
  return envelope.recipients.map((rcpt, i) => {
    if (mail.code >= 300) return fromReply(rcpt, mail.text, remoteMta);
    const rcptReply = rcpts[i];
    if (!rcptReply || rcptReply.code >= 300) return fromReply(rcpt, rcptReply?.text ?? mail.text, remoteMta);
    // An accepted recipient shares the message's fate: DATA's reply, or the one after the content.
    const last: SmtpReply | null = data && data.code !== 354 ? data : final;
    return fromReply(rcpt, last?.text ?? '451 4.4.2 the transaction stopped before the message was sent', remoteMta);
  });
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
  for (;;) {
    const reused = options.sessions?.take(key);
    const session = reused ?? (await openSession(host, address, options, useTls, remoteMta));
    const abort = () => session.abandon();
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      // RFC 1870: a message over the server's SIZE is not sent.
      if (session.sizeLimit > 0 && raw.length > session.sizeLimit) {
        keep(session, key, options);
        return envelope.recipients.map((rcpt) => fromReply(rcpt, '552 5.3.4 message too big for the receiving server', remoteMta));
      }
      const replies = await session.transaction(envelope, raw, reused !== undefined);
      keep(session, key, options);
      return outcomes(envelope, replies, remoteMta);
    } catch (error) {
      session.close();
      if (errorCode(error) === 'EABORT') throw error;
      if (!(error instanceof SmtpConnectionError)) throw error;
      // A kept session the server closed meanwhile: once more on a new one
      // (the next take), as nothing can have been delivered over it.
      if (reused && !session.contentSent) continue;
      throw new HostFailure(`${remoteMta}: ${oneLine(error.message)}`, error.reply ? oneLine(error.reply.text) : null);
    } finally {
      options.signal?.removeEventListener('abort', abort);
    }
  }
}

function keep(session: SmtpClient, key: string, options: SmtpDeliveryOptions): void {
  if (options.sessions) options.sessions.put(key, session);
  else session.quit();
}

/** A new connection to the host, greeted (EHLO, STARTTLS when offered and wanted). */
async function openSession(host: MailHost, address: string, options: SmtpDeliveryOptions, useTls: boolean, remoteMta: string): Promise<SmtpClient> {
  const socket = await openSocket(address, options).catch((error: Error) => {
    if (errorCode(error) === 'EABORT') throw error;
    throw new HostFailure(`${remoteMta}: ${oneLine(error.message)}`, null);
  });
  const abort = () => socket.destroy(Object.assign(new Error('delivery abandoned: the queue is stopping'), { code: 'EABORT' }));
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    return await SmtpClient.open(socket, {
      heloName: options.heloName,
      useTls,
      servername: isIP(host.name) ? undefined : host.name,
      greetingTimeoutMs: options.connectionTimeoutMs ?? 30_000,
      replyTimeoutMs: options.socketTimeoutMs ?? 5 * 60_000,
    });
  } catch (error) {
    if (errorCode(error) === 'EABORT') throw error;
    const e = error as SmtpConnectionError;
    throw new HostFailure(`${remoteMta}: ${oneLine(e.message)}`, e.reply ? oneLine(e.reply.text) : null, e.tlsFailed === true);
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
          if (errorCode(error) === 'EABORT') return abandoned(envelope.recipients);
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
