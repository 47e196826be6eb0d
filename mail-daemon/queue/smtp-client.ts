// The queue's SMTP client: one object per connection, from the greeting to
// QUIT, that sends a message's whole envelope at once where the server
// offers PIPELINING (RFC 2920: RSET, MAIL, every RCPT and DATA in one write,
// then the content), so a message costs two round trips instead of one per
// command, and keeps the replies to each command for the caller to judge per
// recipient. nodemailer's SMTPConnection, used before, waits for each reply.
//
// Replies are read without trusting the server: a line is at most
// MAX_LINE bytes and a reply MAX_REPLY_LINES lines; anything else ends the
// connection.
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';

export interface SmtpReply {
  code: number;
  /** The whole reply, its lines joined by CRLF as sent. */
  text: string;
}

/** The connection failed, timed out, or the server said something that is not SMTP. */
export class SmtpConnectionError extends Error {
  constructor(
    message: string,
    readonly code: string,
    /** The server's reply, when one ended the session (421, a refused greeting). */
    readonly reply: SmtpReply | null = null,
    /** The STARTTLS handshake failed (opportunistic TLS may retry in plain text). */
    readonly tlsFailed = false,
  ) {
    super(message);
  }
}

export interface ClientOptions {
  /** The name we greet with (EHLO). */
  heloName: string;
  /** STARTTLS when offered (RFC 3207); any certificate is accepted (opportunistic). */
  useTls: boolean;
  /** SNI for STARTTLS, when the host has a name. */
  servername?: string;
  greetingTimeoutMs: number;
  /** Per reply (RFC 5321 4.5.3.2 asks for minutes). */
  replyTimeoutMs: number;
}

export interface Envelope {
  from: string;
  recipients: string[];
}

/** The replies of one transaction; `data` and `final` are null when it stopped before them. */
export interface TransactionReplies {
  mail: SmtpReply;
  rcpts: SmtpReply[];
  data: SmtpReply | null;
  final: SmtpReply | null;
}

const MAX_LINE = 4096;
const MAX_REPLY_LINES = 200;
const REPLY_LINE = /^(\d{3})([ -])(.*)$/;

/** RFC 5321 4.5.2: a line that starts with a dot gets one more; the content ends with CRLF . CRLF. */
export function dotStuffed(raw: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let from = 0;
  if (raw[0] === 0x2e) {
    parts.push(Buffer.from('.'));
  }
  for (let i = raw.indexOf('\n.'); i !== -1; i = raw.indexOf('\n.', i + 2)) {
    parts.push(raw.subarray(from, i + 1), Buffer.from('.'));
    from = i + 1;
  }
  parts.push(raw.subarray(from));
  const endsWithCrlf = raw.length >= 2 && raw[raw.length - 2] === 13 && raw[raw.length - 1] === 10;
  parts.push(Buffer.from(endsWithCrlf ? '.\r\n' : '\r\n.\r\n'));
  return parts;
}

export class SmtpClient {
  /** EHLO keywords, upper case, with their parameters. */
  extensions = new Map<string, string>();
  secure = false;
  /** The connection closed or failed: never to be used again. */
  ended = false;
  /** Transactions this connection carried. */
  messages = 0;
  /** The last transaction got as far as sending the content (a failure after it may have delivered). */
  contentSent = false;
  private socket: Socket | TLSSocket;
  private buffer = '';
  private lines: string[] = [];
  private readonly arrived: SmtpReply[] = [];
  private readonly waiting: { resolve(reply: SmtpReply): void; reject(error: Error): void }[] = [];
  private failure: Error | null = null;

  private constructor(
    socket: Socket,
    private readonly options: ClientOptions,
  ) {
    this.socket = socket;
    this.listen(socket);
  }

  /** Greeting, EHLO (HELO if refused), STARTTLS when offered and wanted, EHLO again. */
  static async open(socket: Socket, options: ClientOptions): Promise<SmtpClient> {
    const client = new SmtpClient(socket, options);
    try {
      socket.setTimeout(options.greetingTimeoutMs);
      const greeting = await client.reply();
      if (greeting.code !== 220) throw new SmtpConnectionError(`greeting refused: ${greeting.text}`, 'EPROTOCOL', greeting);
      socket.setTimeout(options.replyTimeoutMs);
      await client.hello();
      if (options.useTls && client.extensions.has('STARTTLS')) {
        const reply = await client.command('STARTTLS');
        // Anything but 220: go on in plain text, as opportunistic TLS allows.
        if (reply.code === 220) {
          await client.startTls();
          await client.hello();
        }
      }
      return client;
    } catch (error) {
      client.close();
      throw error;
    }
  }

  private listen(socket: Socket | TLSSocket): void {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.received(chunk));
    socket.on('timeout', () => this.fail(new SmtpConnectionError('no reply in time', 'ETIMEDOUT')));
    socket.on('error', (error: NodeJS.ErrnoException) => this.fail(new SmtpConnectionError(error.message, error.code ?? 'ECONNECTION')));
    socket.on('close', () => this.fail(new SmtpConnectionError('connection closed', 'ECONNECTION')));
  }

  private received(chunk: string): void {
    this.buffer += chunk;
    for (let end = this.buffer.indexOf('\n'); end !== -1; end = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, end).replace(/\r$/, '');
      this.buffer = this.buffer.slice(end + 1);
      const match = REPLY_LINE.exec(line) ?? /^(\d{3})()$/.exec(line);
      if (!match || line.length > MAX_LINE || this.lines.length >= MAX_REPLY_LINES) {
        return this.fail(new SmtpConnectionError(`not an SMTP reply: ${line.slice(0, 100)}`, 'EPROTOCOL'));
      }
      this.lines.push(line);
      if (match[2] === '-') continue;
      const reply = { code: Number(match[1]), text: this.lines.join('\r\n') };
      this.lines = [];
      const waiter = this.waiting.shift();
      if (waiter) waiter.resolve(reply);
      else this.arrived.push(reply);
    }
    if (this.buffer.length > MAX_LINE) this.fail(new SmtpConnectionError('reply line too long', 'EPROTOCOL'));
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.ended = true;
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
    this.socket.destroy();
  }

  /** The next reply; a 421 (RFC 5321 3.8: the server is closing) fails the connection. */
  private async reply(): Promise<SmtpReply> {
    const reply = this.arrived.shift() ?? (await new Promise<SmtpReply>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.waiting.push({ resolve, reject });
    }));
    if (reply.code === 421) {
      const error = new SmtpConnectionError(`server closing: ${reply.text}`, 'ECONNECTION', reply);
      this.fail(error);
      throw error;
    }
    return reply;
  }

  private write(data: string | Buffer): void {
    if (this.failure) throw this.failure;
    this.socket.write(data);
  }

  private async command(line: string): Promise<SmtpReply> {
    this.write(`${line}\r\n`);
    return this.reply();
  }

  private async hello(): Promise<void> {
    let reply = await this.command(`EHLO ${this.options.heloName}`);
    this.extensions = new Map();
    if (reply.code === 250) {
      for (const line of reply.text.split('\r\n').slice(1)) {
        const [keyword, ...parameters] = line.slice(4).trim().split(/\s+/);
        this.extensions.set(keyword.toUpperCase(), parameters.join(' '));
      }
      return;
    }
    // RFC 5321 4.1.4: a server without EHLO gets HELO.
    reply = await this.command(`HELO ${this.options.heloName}`);
    if (reply.code !== 250) throw new SmtpConnectionError(`EHLO and HELO refused: ${reply.text}`, 'EPROTOCOL', reply);
  }

  private async startTls(): Promise<void> {
    const plain = this.socket as Socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('timeout');
    plain.setTimeout(0);
    const secure = tlsConnect({ socket: plain, rejectUnauthorized: false, servername: this.options.servername });
    // The plain socket's close and errors now come through the TLS one.
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    plain.on('error', () => undefined);
    this.socket = secure;
    await new Promise<void>((resolve, reject) => {
      const failed = (error: NodeJS.ErrnoException) => reject(new SmtpConnectionError(`STARTTLS failed: ${error.message}`, 'ETLS', null, true));
      secure.once('secureConnect', () => {
        secure.off('error', failed);
        resolve();
      });
      secure.once('error', failed);
      secure.setTimeout(this.options.greetingTimeoutMs, () => secure.destroy(Object.assign(new Error('TLS handshake timed out'), { code: 'ETIMEDOUT' })));
    }).catch((error) => {
      this.fail(error);
      throw error;
    });
    this.secure = true;
    this.listen(secure);
    secure.setTimeout(this.options.replyTimeoutMs);
  }

  /** The largest message the server takes (RFC 1870), 0 when it says no limit. */
  get sizeLimit(): number {
    return Number(this.extensions.get('SIZE') || 0) || 0;
  }

  private mailCommand(envelope: Envelope, raw: Buffer): string {
    const parameters: string[] = [];
    if (this.extensions.has('SIZE')) parameters.push(`SIZE=${raw.length}`);
    // RFC 6152: 8-bit content is announced.
    if (this.extensions.has('8BITMIME') && raw.some((b) => b > 127)) parameters.push('BODY=8BITMIME');
    // RFC 6531: an address beyond ASCII needs SMTPUTF8.
    if (this.extensions.has('SMTPUTF8') && [envelope.from, ...envelope.recipients].some((a) => /[^\x00-\x7f]/.test(a))) parameters.push('SMTPUTF8');
    return `MAIL FROM:<${envelope.from}>${parameters.map((p) => ` ${p}`).join('')}`;
  }

  /**
   * RSET (when `reset`, a reused session: RFC 5321 4.1.1.5), MAIL, RCPT for
   * each recipient and DATA, then the content when at least one recipient
   * was accepted. Throws SmtpConnectionError when the connection fails or
   * RSET is refused; the replies say the rest.
   */
  async transaction(envelope: Envelope, raw: Buffer, reset: boolean): Promise<TransactionReplies> {
    const commands = [...(reset ? ['RSET'] : []), this.mailCommand(envelope, raw), ...envelope.recipients.map((r) => `RCPT TO:<${r}>`), 'DATA'];
    const pipelining = this.extensions.has('PIPELINING');
    this.contentSent = false;
    this.messages++;
    let resetReply: SmtpReply | undefined;
    let mail: SmtpReply;
    const rcpts: SmtpReply[] = [];
    let data: SmtpReply | null = null;
    if (pipelining) {
      this.write(commands.map((c) => `${c}\r\n`).join(''));
      if (reset) resetReply = await this.reply();
      mail = await this.reply();
      for (let i = 0; i < envelope.recipients.length; i++) rcpts.push(await this.reply());
      data = await this.reply();
    } else {
      if (reset) resetReply = await this.command('RSET');
      if (resetReply && resetReply.code !== 250) throw new SmtpConnectionError(`RSET refused: ${resetReply.text}`, 'EPROTOCOL', resetReply);
      mail = await this.command(commands[reset ? 1 : 0]);
      if (mail.code !== 250) return { mail, rcpts, data: null, final: null };
      for (const recipient of envelope.recipients) rcpts.push(await this.command(`RCPT TO:<${recipient}>`));
      if (!rcpts.some((r) => r.code === 250 || r.code === 251)) return { mail, rcpts, data: null, final: null };
      data = await this.command('DATA');
    }
    if (resetReply && resetReply.code !== 250) throw new SmtpConnectionError(`RSET refused: ${resetReply.text}`, 'EPROTOCOL', resetReply);
    if (data.code !== 354) return { mail, rcpts, data, final: null };
    const accepted = mail.code === 250 && rcpts.some((r) => r.code === 250 || r.code === 251);
    // RFC 2920 3.1: DATA accepted after every recipient was refused: end it empty.
    const content = accepted ? dotStuffed(raw) : [Buffer.from('.\r\n')];
    this.contentSent = accepted;
    // One segment where it fits, not one per piece (Nagle is off).
    this.socket.cork();
    for (const part of content) this.write(part);
    this.socket.uncork();
    const final = await this.reply();
    return { mail, rcpts, data, final: accepted ? final : null };
  }

  /** QUIT, then the connection closes. */
  quit(): void {
    if (this.ended) return;
    this.ended = true;
    this.socket.end('QUIT\r\n');
    this.socket.setTimeout(5000, () => this.socket.destroy());
  }

  close(): void {
    this.ended = true;
    this.socket.destroy();
  }

  /** Fails the step in progress and drops the connection (the queue is stopping). */
  abandon(): void {
    this.fail(new SmtpConnectionError('delivery abandoned: the queue is stopping', 'EABORT'));
  }
}
