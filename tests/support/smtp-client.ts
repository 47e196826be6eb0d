// Talking SMTP in tests: nodemailer's SMTP connection (a real client nobody
// here wrote) for whole transactions, and a raw socket for exact transcripts
// (pipelining, over-long lines).
import { createRequire } from 'node:module';
import { connect, type Socket } from 'node:net';

const require = createRequire(import.meta.url);
// nodemailer ships no types.
export const SMTPConnection = require('nodemailer/lib/smtp-connection') as new (options: object) => NodemailerConnection;

export interface NodemailerConnection {
  connect(callback: (err?: Error) => void): void;
  login(auth: { user: string; pass: string }, callback: (err?: Error & { responseCode?: number; response?: string }) => void): void;
  send(envelope: { from: string; to: string[]; size?: number }, message: Buffer | string, callback: (err: (Error & { responseCode?: number; response?: string; rejected?: string[]; rejectedErrors?: (Error & { response?: string })[] }) | null, info: { accepted: string[]; rejected: string[]; response: string; rejectedErrors?: (Error & { response?: string })[] }) => void): void;
  quit(): void;
  close(): void;
  _supportedExtensions: string[];
  _supportedAuth: string[];
  secure: boolean;
}

export interface SendResult {
  accepted: string[];
  rejected: string[];
  response: string;
  rejectedErrors: string[];
}

/** One transaction on a fresh connection; rejects with the server's reply. */
export async function sendWithNodemailer(
  options: { port: number; host?: string; secure?: boolean; requireTLS?: boolean; ignoreTLS?: boolean; auth?: { user: string; pass: string } },
  envelope: { from: string; to: string[]; size?: number },
  message: Buffer | string,
): Promise<SendResult & { extensions: string[] }> {
  const connection = new SMTPConnection({
    host: options.host ?? '127.0.0.1',
    port: options.port,
    secure: options.secure ?? false,
    requireTLS: options.requireTLS ?? false,
    ignoreTLS: options.ignoreTLS ?? false,
    tls: { rejectUnauthorized: false },
    name: 'client.remote.test',
  });
  // Failures reach the callbacks below; a reset after QUIT (a server being killed) is not one.
  (connection as unknown as NodeJS.EventEmitter).on('error', () => undefined);
  await new Promise<void>((resolve, reject) => connection.connect((err) => (err ? reject(err) : resolve())));
  try {
    if (options.auth) {
      await new Promise<void>((resolve, reject) => connection.login(options.auth!, (err) => (err ? reject(err) : resolve())));
    }
    const info = await new Promise<SendResult>((resolve, reject) =>
      connection.send(envelope, message, (err, result) => (err ? reject(err) : resolve({ ...result, rejectedErrors: (result.rejectedErrors ?? []).map((e) => e.response ?? e.message) }))),
    );
    return { ...info, extensions: connection._supportedExtensions };
  } finally {
    connection.quit();
  }
}

/** A line-based conversation on a raw socket. */
export class RawSmtp {
  private buffer = '';
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    // A reset shows as a missing reply; tests that kill servers expect resets.
    socket.on('error', () => undefined);
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** `localAddress`: the client's own address (a loopback one of the test's range), when it matters to the server. */
  static async open(port: number, host = '127.0.0.1', localAddress?: string): Promise<RawSmtp> {
    const socket = connect({ port, host, localAddress });
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawSmtp(socket);
  }

  /** A fresh connection taken to the point where the message goes (354 to DATA); throws on any other reply on the way. */
  static async openData(port: number, mailFrom: string, rcptTo: string): Promise<RawSmtp> {
    const raw = await RawSmtp.open(port);
    const steps: [string | null, RegExp][] = [[null, /^220 /], ['EHLO client.remote.test', /^250 /m], [`MAIL FROM:<${mailFrom}>`, /^250 /], [`RCPT TO:<${rcptTo}>`, /^250 /], ['DATA', /^354 /]];
    for (const [line, expected] of steps) {
      const reply = line === null ? await raw.reply() : await raw.command(line);
      if (!expected.test(reply)) throw new Error(`${line ?? 'greeting'}: ${reply}`);
    }
    return raw;
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** The next complete reply (all its lines), waiting up to `timeoutMs` (only a failing test waits that long; CI runs loaded). */
  async reply(timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = /^(?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\n/.exec(this.buffer);
      if (match) {
        this.buffer = this.buffer.slice(match[0].length);
        return match[0].replace(/\r\n/g, '\n').trimEnd();
      }
      if (Date.now() > deadline) throw new Error(`no SMTP reply; buffered: ${JSON.stringify(this.buffer)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async command(line: string): Promise<string> {
    this.write(`${line}\r\n`);
    return this.reply();
  }

  close(): void {
    this.socket.destroy();
  }
}
