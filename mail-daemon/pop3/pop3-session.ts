// One POP3 connection: the AUTHORIZATION -> TRANSACTION -> UPDATE states of
// RFC 1939, one method per command, STLS (RFC 2595) and AUTH PLAIN (RFC 5034).
// Commands are handled one at a time in the order they arrive, so a client
// may pipeline (RFC 2449 6.6) and still gets its replies in order.
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { checkLogin } from '../accounts/login.ts';
import type { LoginLimiter } from '../accounts/login-limiter.ts';
import { actsAsAnother } from '../accounts/login-name.ts';
import type { MailStore } from '../store/context.ts';
import { parseCommand, type CommandName, type Pop3State } from './commands.ts';
import { LineReader, type LineEvent } from './line-reader.ts';
import type { MaildropLocks, MaildropRelease } from './maildrop-lock.ts';
import { Maildrop, type MaildropMessage } from './maildrop.ts';
import { messageChunks } from './message-stream.ts';
import { isLoopback } from '../loopback.ts';

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

const CAPABILITIES = ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'EXPIRE NEVER', 'IMPLEMENTATION mailplatform'];

function messageNumber(arg: string): number | null {
  return /^\d{1,9}$/.test(arg) ? Number(arg) : null;
}

export class Pop3Session {
  private state: Pop3State = 'AUTHORIZATION';
  private socket: Socket;
  private readonly reader = new LineReader();
  private queue: LineEvent[] = [];
  private working = false;
  private closed = false;
  private finishing = false;
  private badCommands = 0;
  private user: string | null = null;
  /** Set while AUTH PLAIN waits for the client's response line. */
  private awaitingSasl = false;
  private maildrop: Maildrop | null = null;
  private releaseLock: MaildropRelease | null = null;
  /** Message numbers marked by DELE. */
  private readonly deleted = new Set<number>();
  /** UIDs sent by RETR, marked \Seen when the session ends. */
  private readonly retrieved = new Set<number>();
  private resolveFinished!: () => void;
  /** Settles once the connection is closed and the session's changes are written. */
  readonly finished = new Promise<void>((resolve) => (this.resolveFinished = resolve));
  private readonly remoteAddress: string;

  constructor(
    /** The TCP socket; its timer runs under STLS too. */
    private readonly raw: Socket,
    private readonly context: SessionContext,
    private secure: boolean,
  ) {
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
        await this.handle(this.queue.shift()!);
        // A client that pipelines without reading (LIST after LIST) must not make replies pile up here.
        await this.drained();
      }
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

  private reply(line: string): void {
    if (!this.closed && !this.socket.destroyed) this.socket.write(`${line}\r\n`);
  }

  /** A multi-line reply (RFC 1939 3); callers pass lines that never begin with ".". */
  private replyLines(first: string, lines: string[]): void {
    this.reply([first, ...lines, '.'].join('\r\n'));
  }

  private error(text: string): void {
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

  /** Writes a chunk and waits while the socket's buffer is full, so a large RETR never piles up in memory. */
  private async write(chunk: Buffer): Promise<void> {
    if (this.socket.destroyed || !this.socket.writable) return;
    this.socket.write(chunk);
    await this.drained();
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

  private close(): void {
    if (this.closed) return;
    this.closed = true;
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

  private async handle(event: LineEvent): Promise<void> {
    if (event.kind === 'too-long') {
      if (this.awaitingSasl) this.awaitingSasl = false;
      return this.badCommand('Line too long');
    }
    if (this.awaitingSasl) {
      this.awaitingSasl = false;
      return this.saslResponse(event.text);
    }
    const parsed = parseCommand(event.text, this.state);
    if (!parsed.ok) return this.badCommand(parsed.error);
    return this.handlers[parsed.name](parsed.args);
  }

  private readonly handlers: Record<CommandName, (args: string[]) => void | Promise<void>> = {
    CAPA: () => this.capa(),
    USER: ([name]) => this.userCommand(name),
    PASS: ([password]) => this.pass(password),
    AUTH: ([mechanism, initial]) => this.auth(mechanism, initial),
    STLS: () => this.stls(),
    STAT: () => this.stat(),
    LIST: ([n]) => this.list(n),
    UIDL: ([n]) => this.uidl(n),
    RETR: ([n]) => this.retr(n),
    TOP: ([n, lines]) => this.top(n, lines),
    DELE: ([n]) => this.dele(n),
    NOOP: () => this.reply('+OK'),
    RSET: () => this.rset(),
    QUIT: () => this.quit(),
  };

  // ---- AUTHORIZATION ----

  /** RFC 2595 4 / RFC 8314: passwords only over TLS, unless the operator allowed loopback for tests. */
  private get plaintextAllowed(): boolean {
    return this.secure || (this.context.allowPlaintextLoopback && isLoopback(this.remoteAddress));
  }

  /** RFC 2449 5. */
  private capa(): void {
    const lines = [...CAPABILITIES];
    if (this.state === 'AUTHORIZATION') {
      if (this.plaintextAllowed) lines.push('USER', 'SASL PLAIN');
      if (!this.secure) lines.push('STLS');
    }
    this.replyLines('+OK Capability list follows', lines);
  }

  private refusePlaintext(): boolean {
    if (this.plaintextAllowed) return false;
    this.error('[AUTH] Plaintext authentication is not allowed without TLS; use STLS first');
    return true;
  }

  /** RFC 1939 7 USER. */
  private userCommand(name: string): void {
    if (this.refusePlaintext()) return;
    this.user = name;
    this.reply('+OK Send your password');
  }

  /** RFC 1939 7 PASS. */
  private async pass(password: string): Promise<void> {
    if (this.refusePlaintext()) return;
    const user = this.user;
    this.user = null;
    if (user === null) return this.error('Send USER first');
    await this.login(user, password);
  }

  /** RFC 5034 4 AUTH; only PLAIN (RFC 4616), since passwords are stored hashed. */
  private async auth(mechanism: string | undefined, initial: string | undefined): Promise<void> {
    if (mechanism === undefined) return this.replyLines('+OK Supported mechanisms follow', ['PLAIN']);
    if (mechanism.toUpperCase() !== 'PLAIN') return this.error('Unsupported authentication mechanism');
    if (this.refusePlaintext()) return;
    if (initial === undefined) {
      this.awaitingSasl = true;
      return this.reply('+ ');
    }
    // RFC 5034 4: "=" is an empty initial response.
    await this.saslResponse(initial === '=' ? '' : initial);
  }

  private async saslResponse(line: string): Promise<void> {
    if (line === '*') return this.error('Authentication cancelled');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(line) || line.length % 4 !== 0) return this.error('Invalid base64 in the SASL response');
    const parts = Buffer.from(line, 'base64').toString('utf8').split('\0');
    if (parts.length !== 3) return this.error('[AUTH] Malformed PLAIN response');
    const [authzid, authcid, password] = parts;
    if (actsAsAnother(authzid, authcid)) return this.error('[AUTH] Authentication failed');
    await this.login(authcid, password);
  }

  private async login(address: string, password: string): Promise<void> {
    const result = await checkLogin(this.context.store, this.context.limiter, { service: 'pop3', client: this.remoteAddress, account: address }, password);
    if (this.closed) return;
    if (!result.ok) {
      // RFC 3206: [AUTH] is the user's credentials, [SYS/TEMP] a condition that passes with time.
      if (result.reason === 'rate-limited') return this.error(`[SYS/TEMP] Too many failed logins; try again in ${Math.ceil(result.retryAfterMs / 1000)} s`);
      return this.error('[AUTH] Authentication failed');
    }
    let release: MaildropRelease | null;
    try {
      release = await this.context.locks.acquire(result.account.id);
    } catch (error) {
      this.context.log(`pop3: locking the maildrop of ${result.account.address}: ${error}`);
      return this.error('[SYS/TEMP] Cannot lock the maildrop, try again later');
    }
    if (!release) return this.error('[IN-USE] Another POP3 session is using this maildrop');
    try {
      this.maildrop = await Maildrop.open(this.context.store, result.account.id);
    } catch (error) {
      await release();
      this.context.log(`pop3: opening the maildrop of ${result.account.address}: ${error}`);
      return this.error('[SYS/TEMP] Cannot open the maildrop, try again later');
    }
    this.releaseLock = release;
    this.user = result.account.address;
    this.context.log(`pop3: ${this.user} logged in from ${this.remoteAddress}${this.secure ? ' over TLS' : ''}`);
    this.state = 'TRANSACTION';
    this.raw.setTimeout(this.context.idleTimeoutMs);
    // The connection may have dropped during the login; finish() runs after this handler then.
    const { count, octets } = this.totals();
    this.reply(`+OK Logged in, ${count} message${count === 1 ? '' : 's'} (${octets} octets)`);
  }

  /** RFC 2595 4. */
  private stls(): void {
    if (this.secure) return this.error('Already using TLS');
    this.reply('+OK Begin TLS negotiation');
    const raw = this.socket;
    raw.off('data', this.onData);
    // Anything pipelined after STLS was sent in the clear and must not be acted on.
    this.reader.reset();
    this.queue = [];
    const secured = new TLSSocket(raw, { isServer: true, secureContext: this.context.secureContext });
    this.socket = secured;
    this.secure = true;
    this.listen(secured);
  }

  // ---- TRANSACTION ----

  private get messages(): MaildropMessage[] {
    return this.maildrop!.messages;
  }

  private totals(): { count: number; octets: number } {
    let count = 0;
    let octets = 0;
    for (const m of this.messages) {
      if (this.deleted.has(m.number)) continue;
      count++;
      octets += m.size;
    }
    return { count, octets };
  }

  /** The message an argument names, or null after replying -ERR (RFC 1939 5: deleted messages do not count). */
  private message(arg: string): MaildropMessage | null {
    const n = messageNumber(arg);
    if (n === null) {
      this.error('Message number must be a positive number');
      return null;
    }
    const message = this.messages[n - 1];
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

  /** RFC 1939 5 STAT. */
  private stat(): void {
    const { count, octets } = this.totals();
    this.reply(`+OK ${count} ${octets}`);
  }

  /** RFC 1939 5 LIST. */
  private list(arg: string | undefined): void {
    this.scanListing(arg, (m) => `${m.number} ${m.size}`, 'messages');
  }

  /** RFC 1939 7 UIDL. */
  private uidl(arg: string | undefined): void {
    this.scanListing(arg, (m) => `${m.number} ${m.uniqueId}`, 'unique ids');
  }

  private scanListing(arg: string | undefined, line: (m: MaildropMessage) => string, what: string): void {
    if (arg !== undefined) {
      const message = this.message(arg);
      if (message) this.reply(`+OK ${line(message)}`);
      return;
    }
    const lines = this.messages.filter((m) => !this.deleted.has(m.number)).map(line);
    this.replyLines(`+OK ${lines.length} ${what}`, lines);
  }

  /** RFC 1939 5 RETR. */
  private async retr(arg: string): Promise<void> {
    const message = this.message(arg);
    if (!message) return;
    const raw = await this.content(message);
    if (!raw) return;
    await this.sendMessage(`+OK ${message.size} octets`, messageChunks(raw));
    if (this.closed) return;
    this.retrieved.add(message.uid);
  }

  /** RFC 1939 7 TOP. */
  private async top(arg: string, linesArg: string): Promise<void> {
    const message = this.message(arg);
    if (!message) return;
    const lines = messageNumber(linesArg);
    if (lines === null) return this.error('Line count must be a non-negative number');
    const raw = await this.content(message);
    if (!raw) return;
    await this.sendMessage('+OK Top of message follows', messageChunks(raw, lines));
  }

  /** The status line goes out in one write with the first chunk, so a small message is one segment. */
  private async sendMessage(status: string, chunks: Iterable<Buffer>): Promise<void> {
    let first: Buffer | null = Buffer.from(`${status}\r\n`);
    for (const chunk of chunks) {
      if (this.closed) return;
      await this.write(first ? Buffer.concat([first, chunk]) : chunk);
      first = null;
    }
  }

  private async content(message: MaildropMessage): Promise<Buffer | null> {
    const raw = await this.maildrop!.content(message, this.deleted);
    if (!raw) this.error(`Message ${message.number} was removed by another client`);
    return raw;
  }

  /** RFC 1939 5 DELE: only marked; removed on QUIT. */
  private dele(arg: string): void {
    const message = this.message(arg);
    if (!message) return;
    this.deleted.add(message.number);
    this.reply(`+OK Message ${message.number} deleted`);
  }

  /** RFC 1939 5 RSET. */
  private rset(): void {
    this.deleted.clear();
    const { count, octets } = this.totals();
    this.reply(`+OK Maildrop has ${count} message${count === 1 ? '' : 's'} (${octets} octets)`);
  }

  /** RFC 1939 4 and 6 QUIT. */
  private async quit(): Promise<void> {
    if (this.state === 'AUTHORIZATION') {
      this.reply(`+OK ${this.context.hostname} POP3 server signing off`);
      return this.close();
    }
    this.state = 'UPDATE';
    const maildrop = this.maildrop!;
    const doomed = this.messages.filter((m) => this.deleted.has(m.number)).map((m) => m.uid);
    const doomedSet = new Set(doomed);
    try {
      await maildrop.markSeen([...this.retrieved].filter((uid) => !doomedSet.has(uid)));
      const removed = await maildrop.remove(doomed);
      this.reply(`+OK ${this.context.hostname} POP3 server signing off (${removed} message${removed === 1 ? '' : 's'} deleted)`);
    } catch (error) {
      this.context.log(`pop3: UPDATE for ${this.user}: ${error}`);
      // RFC 1939 6: -ERR when some deleted messages could not be removed; the transaction removed none.
      this.reply('-ERR [SYS/TEMP] Some deleted messages not removed; nothing was deleted');
    } finally {
      await this.releaseLock?.();
      this.releaseLock = null;
    }
    this.close();
  }
}
