// One POP3 connection: the AUTHORIZATION -> TRANSACTION -> UPDATE states of
// RFC 1939 and the socket under them (STLS swaps it for TLS, RFC 2595). Each
// command is a handler in commands/; the registry checks its state and
// arguments first. Commands are handled one at a time in the order they
// arrive, so a client may pipeline (RFC 2449 6.6) and still gets its replies
// in order.
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { LoginLimiter } from '../accounts/login-limiter.ts';
import type { MailStore } from '../store/context.ts';
import { saslPlainResponse } from './commands/auth.ts';
import type { Pop3State } from './commands/command.ts';
import { parseCommand } from './commands/registry.ts';
import { LineReader, type LineEvent } from './line-reader.ts';
import type { MaildropLocks, MaildropRelease } from './maildrop-lock.ts';
import type { Maildrop, MaildropMessage } from './maildrop.ts';
import { messageNumber } from './message-number.ts';
import type { MessageStream } from './message-stream.ts';
import { ReplyBuffer } from './reply-buffer.ts';
import { isLoopback } from '../dns/loopback.ts';

export interface SessionContext {
  store: MailStore;
  limiter: LoginLimiter;
  locks: MaildropLocks;
  hostname: string;
  secureContext: SecureContext;
  /** ALLOW_PLAINTEXT_LOOPBACK: USER/PASS and AUTH PLAIN without TLS from 127.0.0.0/8 and ::1 (tests). */
  allowPlaintextLoopback: boolean;
  /** RFC 1939 3: the autologout timer, at least 10 minutes. */
  idleTimeoutMs: number;
  /** Before login a silent client is dropped sooner (PRE_LOGIN_TIMEOUT). */
  preLoginTimeoutMs: number;
  log: (message: string) => void;
}

/** Lines read ahead of the one being handled before the socket is paused. */
const MAX_QUEUED_LINES = 256;
/** Unknown, malformed or overlong commands tolerated before the connection is closed. */
const MAX_BAD_COMMANDS = 20;

export class Pop3Session {
  state: Pop3State = 'AUTHORIZATION';
  /** The name given by USER, waiting for PASS. */
  pendingUser: string | null = null;
  /** The address logged in, from TRANSACTION on. */
  user: string | null = null;
  maildrop: Maildrop | null = null;
  /** Message numbers marked by DELE. */
  readonly deleted = new Set<number>();
  /** UIDs sent by RETR, marked \Seen when the session ends. */
  readonly retrieved = new Set<number>();
  closed = false;
  readonly remoteAddress: string;
  /** Settles once the connection is closed and the session's changes are written. */
  readonly finished: Promise<void>;
  private socket: Socket;
  private readonly reader = new LineReader();
  private queue: LineEvent[] = [];
  private working = false;
  private finishing = false;
  private badCommands = 0;
  /** Set while AUTH PLAIN waits for the client's response line. */
  private awaitingSasl = false;
  private releaseLock: MaildropRelease | null = null;
  /** From TRANSACTION on, where the socket no longer changes (STLS): replies gathered for large writes. */
  private replies: ReplyBuffer | null = null;
  private resolveFinished!: () => void;

  constructor(
    /** The TCP socket; its timer runs under STLS too. */
    private readonly raw: Socket,
    readonly context: SessionContext,
    private secureNow: boolean,
  ) {
    this.finished = new Promise<void>((resolve) => (this.resolveFinished = resolve));
    this.socket = raw;
    this.remoteAddress = raw.remoteAddress ?? 'unknown';
    raw.setTimeout(context.preLoginTimeoutMs);
    // Replies are whole lines or large chunks; Nagle's algorithm would only add a delayed-ACK wait per RETR.
    raw.setNoDelay(true);
    raw.on('timeout', () => {
      this.reply('-ERR Autologout; idle for too long');
      this.close();
    });
    raw.on('close', () => this.onClosed());
    this.listen(raw);
    this.reply(`+OK ${context.hostname} POP3 server ready`);
  }

  /** Ends the connection at once (daemon shutdown). Changes not committed by QUIT are not applied. */
  terminate(): void {
    // RFC 3206 4: SYS/TEMP says the problem is on our side and will pass.
    this.reply('-ERR [SYS/TEMP] server shutting down');
    this.flush();
    this.socket.end();
    this.socket.destroy();
    this.onClosed();
  }

  /** Reads commands from the socket, or from the TLS socket over it after STLS. An error (a reset, a bad handshake) only ends this session. */
  private listen(stream: Socket): void {
    stream.on('data', this.onData);
    stream.on('error', () => this.onClosed());
  }

  private readonly onData = (chunk: Buffer) => {
    for (const event of this.reader.feed(chunk)) this.queue.push(event);
    if (this.queue.length > MAX_QUEUED_LINES) this.socket.pause();
    void this.work();
  };

  private async work(): Promise<void> {
    if (this.working) return;
    this.working = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        // A command whose work is at hand (a RETR of a message read ahead) finishes without a promise.
        const pending = this.handle(this.queue.shift()!);
        if (pending) await pending;
        // Pipelined commands (RFC 2449 6.6): their replies go out together,
        // once no command waits or the reply buffer is full.
        if (this.queue.length === 0 || this.replies?.full) this.flush();
        // A client that pipelines without reading (LIST after LIST) must not make replies pile up here.
        if (this.socket.writableNeedDrain) await this.drained();
      }
      this.flush();
    } catch (error) {
      this.context.log(`pop3: session from ${this.remoteAddress}: ${(error as Error).stack ?? error}`);
      this.reply('-ERR [SYS/TEMP] Internal error, try again later');
      this.close();
    } finally {
      this.working = false;
    }
    if (this.closed) await this.finish();
    else if (this.socket.isPaused()) this.socket.resume();
  }

  get secure(): boolean {
    return this.secureNow;
  }

  reply(line: string): void {
    if (this.closed || this.socket.destroyed) return;
    if (this.replies) this.replies.line(this.socket, line);
    else this.socket.write(`${line}\r\n`);
  }

  /** A multi-line reply (RFC 1939 3); callers pass lines that never begin with ".". */
  replyLines(first: string, lines: string[]): void {
    this.reply([first, ...lines, '.'].join('\r\n'));
  }

  error(text: string): void {
    this.reply(`-ERR ${text}`);
  }

  /** A line that is not a valid command here: too many of them and the client is not speaking POP3. */
  private badCommand(text: string): void {
    this.error(text);
    if (++this.badCommands >= MAX_BAD_COMMANDS) {
      this.reply('-ERR Too many errors, closing the connection');
      this.close();
    }
  }

  /** Writes the gathered replies. */
  private flush(): void {
    this.replies?.flush(this.socket);
  }

  /** Waits while the socket holds more unsent replies than its high-water mark. */
  private async drained(): Promise<void> {
    const socket = this.socket;
    // A socket already gone would never emit 'drain' or 'close' again.
    if (socket.destroyed || !socket.writableNeedDrain) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        socket.off('drain', done);
        socket.off('close', done);
        socket.off('error', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
      socket.on('error', done);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    this.socket.end();
    // A client that never reads would keep the socket open; do not wait for it.
    setTimeout(() => this.socket.destroy(), 5000).unref();
  }

  private onClosed(): void {
    this.closed = true;
    if (!this.working) void this.finish();
  }

  /** After the connection ends: a dropped session keeps its DELE marks unapplied (RFC 1939 6) but RETR still counts as read. */
  private async finish(): Promise<void> {
    if (this.finishing) return;
    this.finishing = true;
    try {
      if (this.maildrop && this.state === 'TRANSACTION') await this.maildrop.markSeen([...this.retrieved]);
    } catch (error) {
      this.context.log(`pop3: marking messages seen for ${this.user}: ${error}`);
    } finally {
      await this.releaseLock?.();
      this.releaseLock = null;
      this.resolveFinished();
    }
  }

  private handle(event: LineEvent): void | Promise<void> {
    if (event.kind === 'too-long') {
      if (this.awaitingSasl) this.awaitingSasl = false;
      return this.badCommand('Line too long');
    }
    if (this.awaitingSasl) {
      this.awaitingSasl = false;
      return saslPlainResponse(this, event.text);
    }
    const parsed = parseCommand(event.text, this.state);
    if (!parsed.ok) return this.badCommand(parsed.error);
    return parsed.command.handle(this, parsed.args);
  }

  // ---- for the command handlers ----

  /** RFC 2595 4 / RFC 8314: passwords only over TLS, unless the operator allowed loopback for tests. */
  get plaintextAllowed(): boolean {
    return this.secure || (this.context.allowPlaintextLoopback && isLoopback(this.remoteAddress));
  }

  /** Replies -ERR and returns true when a password may not be sent on this connection. */
  refusePlaintext(): boolean {
    if (this.plaintextAllowed) return false;
    this.error('[AUTH] Plaintext authentication is not allowed without TLS; use STLS first');
    return true;
  }

  /** The next line is the client's SASL response, not a command (RFC 5034 4). */
  awaitSaslResponse(): void {
    this.awaitingSasl = true;
  }

  /** After "+OK Begin TLS negotiation": the rest of the session runs over TLS. */
  startTls(): void {
    const raw = this.socket;
    raw.off('data', this.onData);
    // Anything pipelined after STLS was sent in the clear and must not be acted on.
    this.reader.reset();
    this.queue = [];
    const secured = new TLSSocket(raw, { isServer: true, secureContext: this.context.secureContext });
    this.socket = secured;
    this.secureNow = true;
    this.listen(secured);
  }

  /** A successful login: the maildrop is locked and open. */
  enterTransaction(address: string, maildrop: Maildrop, release: MaildropRelease): void {
    this.releaseLock = release;
    this.maildrop = maildrop;
    this.user = address;
    this.state = 'TRANSACTION';
    this.replies = new ReplyBuffer();
    this.raw.setTimeout(this.context.idleTimeoutMs);
  }

  async releaseMaildrop(): Promise<void> {
    await this.releaseLock?.();
    this.releaseLock = null;
  }

  // ---- TRANSACTION ----

  /** The messages not marked by DELE, in order. */
  liveMessages(): MaildropMessage[] {
    return this.maildrop!.messages.filter((m) => !this.deleted.has(m.number));
  }

  totals(): { count: number; octets: number } {
    let count = 0;
    let octets = 0;
    for (const m of this.maildrop!.messages) {
      if (this.deleted.has(m.number)) continue;
      count++;
      octets += m.size;
    }
    return { count, octets };
  }

  /** The message an argument names, or null after replying -ERR (RFC 1939 5: deleted messages do not count). */
  message(arg: string): MaildropMessage | null {
    const n = messageNumber(arg);
    if (n === null) {
      this.error('Message number must be a positive number');
      return null;
    }
    const message = this.maildrop!.messages[n - 1];
    if (!message) {
      this.error(`No message ${arg}`);
      return null;
    }
    if (this.deleted.has(n)) {
      this.error(`Message ${n} is already deleted`);
      return null;
    }
    return message;
  }

  /**
   * A status line and a message body into the reply buffer, then `sent`. A
   * body larger than the buffer goes out a buffer at a time, waiting while the
   * socket is full, so a large RETR never piles up in memory.
   */
  sendMessage(status: string, body: MessageStream, sent?: () => void): void | Promise<void> {
    this.reply(status);
    if (this.replies!.message(body)) return sent?.();
    return this.sendRest(body, sent);
  }

  private async sendRest(body: MessageStream, sent?: () => void): Promise<void> {
    do {
      this.flush();
      await this.drained();
      if (this.closed || this.socket.destroyed) return;
    } while (!this.replies!.message(body));
    sent?.();
  }

  /** Calls `use` with the message's bytes: at once when they were read ahead, else once read. */
  withContent(message: MaildropMessage, use: (raw: Buffer) => void | Promise<void>): void | Promise<void> {
    const loaded = this.maildrop!.takeLoaded(message, this.deleted);
    if (loaded) return use(loaded);
    return this.maildrop!.content(message, this.deleted).then((raw) => {
      if (raw) return use(raw);
      this.error(`Message ${message.number} was removed by another client`);
    });
  }
}
