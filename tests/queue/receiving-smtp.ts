// Receiving SMTP servers for the queue tests: smtp-server on a loopback
// address, recording every message it accepts, with hooks to refuse
// recipients or hold a transaction open.
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import type { Readable } from 'node:stream';

export interface Reception {
  mailFrom: string;
  recipients: string[];
  raw: Buffer;
  /** STARTTLS was used. */
  secure: boolean;
  host: string;
  /** Where the delivering connection came from. */
  remoteAddress: string;
  /** smtp-server's id of the SMTP session that carried it. */
  session: string;
  at: number;
}

export interface ReceivingOptions {
  /** A reply such as "550 5.1.1 no such user" to refuse a recipient, or null to accept it. */
  rcptReply?: (address: string) => string | null;
  /** Runs before the final reply to DATA; a reply string refuses the message. */
  beforeDataReply?: (session: SMTPServerSession) => Promise<string | null | void> | string | null | void;
  /** Passed on to smtp-server (e.g. TLS settings). */
  server?: Partial<SMTPServerOptions>;
}

export interface ReceivingServer {
  host: string;
  port: number;
  received: Reception[];
  /** Sessions open now, and the most ever open at once. */
  openSessions: number;
  maxOpenSessions: number;
  close(): Promise<void>;
}

function refusal(reply: string): Error {
  const match = /^(\d{3}) (.*)$/.exec(reply)!;
  return Object.assign(new Error(match[2]), { responseCode: Number(match[1]) });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startReceivingServer(host: string, port: number, options: ReceivingOptions = {}): Promise<ReceivingServer> {
  const state: ReceivingServer = { host, port, received: [], openSessions: 0, maxOpenSessions: 0, close: async () => undefined };
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['AUTH'],
    hideENHANCEDSTATUSCODES: true,
    closeTimeout: 500,
    disableReverseLookup: true,
    onConnect(_session, callback) {
      state.openSessions++;
      state.maxOpenSessions = Math.max(state.maxOpenSessions, state.openSessions);
      callback();
    },
    onClose() {
      state.openSessions--;
    },
    onRcptTo(address, _session, callback) {
      const reply = options.rcptReply?.(address.address) ?? null;
      callback(reply ? refusal(reply) : undefined);
    },
    onData(stream, session, callback) {
      readAll(stream)
        .then(async (raw) => {
          const reply = await options.beforeDataReply?.(session);
          if (reply) return callback(refusal(reply));
          state.received.push({
            mailFrom: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            recipients: session.envelope.rcptTo.map((r) => r.address),
            raw,
            secure: session.secure,
            host,
            remoteAddress: session.remoteAddress,
            session: session.id,
            at: Date.now(),
          });
          callback();
        })
        .catch((error) => callback(error));
    },
    ...options.server,
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
