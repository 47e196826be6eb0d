// One IMAP connection: its state (RFC 3501 3: not authenticated,
// authenticated, selected, logout), its socket (upgraded in place by
// STARTTLS), the command reader, and the selected mailbox's view. Commands
// are read one at a time and run by the registry; store changes from other
// sessions and processes arrive through notifyChange().
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { AccountView } from '../accounts/accounts.ts';
import type { LoginLimiter } from '../accounts/login-limiter.ts';
import type { MailStore } from '../store/context.ts';
import type { SessionState } from './commands/command.ts';
import { runCommand } from './commands/registry.ts';
import { CommandReader, type LiteralPolicy, type ReaderError } from './parser/command-reader.ts';
import { ImapParseError, parseCommand, tagOf } from './parser/command-parser.ts';
import { serializeLine, type ResponseValue } from './parser/response.ts';
import type { SelectedMailbox } from './selected-mailbox.ts';
import { isLoopback } from '../dns/loopback.ts';
import { CommandRateLimiter, type CommandRate } from './command-rate.ts';
import type { IncomingMessageBudget, MessageLease } from '../limits/incoming-message-budget.ts';
import { DeflateStream } from './deflate-stream.ts';
import type { NotifySettings } from './notify-settings.ts';
import type { StoreChange } from '../store/change-bus.ts';

export interface SessionOptions {
  store: MailStore;
  limiter: LoginLimiter;
  hostname: string;
  secureContext: SecureContext;
  allowPlaintextLoopback: boolean;
  /** RFC 3501 5.4: at least 30 minutes once logged in. */
  idleTimeoutMs: number;
  /** Before login a silent client is dropped sooner. */
  preAuthTimeoutMs: number;
  maxMessageSize: number;
  /** Shared with SMTP: how many big messages (APPEND literals) sit in memory at once. */
  incoming: IncomingMessageBudget;
  /** Commands per second after a first burst; more wait (command-rate.ts). */
  commandRate?: CommandRate;
  log: (message: string) => void;
}

// Literal bytes one command may carry (RFC 9051 7.1 TOOBIG beyond): before
// login only a user name and password; after it, MAX_MESSAGE_SIZE for APPEND
// (its messages together, with MULTIAPPEND: they sit in memory until stored
// all at once, in one slot of the incoming-message budget) and a little for
// any other command (a search string, a mailbox name).
export const PRE_AUTH_LITERAL_BYTES = 4096;
export const COMMAND_LITERAL_BYTES = 64 * 1024;
/** RFC 3502: messages in one MULTIAPPEND (a literal each). */
export const MAX_APPEND_MESSAGES = 1000;
export const MAX_LINE_BYTES = 64 * 1024;
const MAX_COMMAND_BYTES = 1024 * 1024;
/** Above this much unread input the socket is paused until the session catches up. */
const MAX_BUFFERED_INPUT = 256 * 1024;
/** Gathered output is written once it reaches this size. */
const OUTPUT_FLUSH_BYTES = 64 * 1024;
/** A client that sends this many malformed or misplaced commands in a row is not a mail client. */
export const MAX_BAD_COMMANDS = 20;

const BASE_CAPABILITIES = [
  'IMAP4rev1',
  // RFC 9051 Appendix A: a session stays IMAP4rev1 until the client ENABLEs IMAP4rev2.
  'IMAP4rev2',
  'LITERAL+',
  'SASL-IR',
  'ID',
  'ENABLE',
  'IDLE',
  // RFC 5465, in part: notify-settings.ts.
  'NOTIFY',
  'NAMESPACE',
  'UNSELECT',
  'UIDPLUS',
  'MULTIAPPEND',
  'MOVE',
  'CHILDREN',
  'LIST-EXTENDED',
  'LIST-STATUS',
  'SPECIAL-USE',
  'CONDSTORE',
  'QRESYNC',
  'ESEARCH',
  // RFC 5256 (sort/), RFC 5957 DISPLAYFROM/DISPLAYTO, RFC 5267 SORT RETURN.
  'SORT',
  'SORT=DISPLAY',
  'ESORT',
  'THREAD=ORDEREDSUBJECT',
  'THREAD=REFERENCES',
  'QUOTA',
  'QUOTA=RES-STORAGE',
  // RFC 8438: STATUS SIZE, the mailbox's total RFC822.SIZE, also for rev1 sessions.
  'STATUS=SIZE',
  'UTF8=ACCEPT',
];

export class ImapSession {
  state: SessionState = 'NOT_AUTHENTICATED';
  account: AccountView | null = null;
  selected: SelectedMailbox | null = null;
  /** Extensions turned on with ENABLE (RFC 5161), upper case; CONDSTORE also by its first use. */
  readonly enabled = new Set<string>();
  idling = false;
  /** NOTIFY SET (RFC 5465): what is reported as it happens; null as in the base protocol. */
  notify: NotifySettings | null = null;
  readonly remoteAddress: string;
  readonly finished: Promise<void>;

  private socket: Socket;
  private secure: boolean;
  /** After COMPRESS DEFLATE (RFC 4978): what is read and written goes through it. */
  private deflate: DeflateStream | null = null;
  private readonly reader: CommandReader;
  /** The memory claim of the command being read or run, when its literals are big. */
  private lease: MessageLease | null = null;
  private lineWaiter: ((line: Buffer) => void) | null = null;
  private refreshing: Promise<void> = Promise.resolve();
  /** A command is running: unsolicited responses wait for its end. */
  private running = false;
  private closed = false;
  private badCommands = 0;
  private readonly rate: CommandRateLimiter;
  private markFinished!: () => void;
  private output: Buffer[] = [];
  private outputBytes = 0;
  private flushScheduled = false;

  constructor(
    socket: Socket,
    readonly options: SessionOptions,
    secure: boolean,
    /** Whether STARTTLS is offered (the plain port). */
    private readonly startTlsPort: boolean,
  ) {
    this.socket = socket;
    this.secure = secure;
    this.remoteAddress = socket.remoteAddress ?? '';
    this.finished = new Promise((resolve) => (this.markFinished = resolve));
    this.rate = new CommandRateLimiter(options.commandRate);
    this.reader = new CommandReader(
      {
        maxLineBytes: MAX_LINE_BYTES,
        maxCommandBytes: MAX_COMMAND_BYTES,
        maxLiteralsPerCommand: 100,
        maxBufferedBytes: MAX_BUFFERED_INPUT,
        literalPolicy: (firstLine) => this.literalPolicy(firstLine),
        roomFor: (bytes) => (this.lease ??= options.incoming.lease()).hold(bytes),
      },
      {
        command: (bytes) => this.onCommand(bytes),
        continuation: () => this.sendText('+ Ready for literal data'),
        error: (error) => this.onReaderError(error),
        flow: (reading) => {
          const input = this.deflate?.input ?? this.socket;
          if (reading) input.resume();
          else input.pause();
        },
      },
    );
    this.attach(socket);
    this.sendText(`* OK [CAPABILITY ${this.capabilities().join(' ')}] ${options.hostname} IMAP4rev1 ready`);
  }

  get store(): MailStore {
    return this.options.store;
  }

  get isSecure(): boolean {
    return this.secure;
  }

  /** Whether STARTTLS may be used now. */
  get canStartTls(): boolean {
    return this.startTlsPort && !this.secure;
  }

  /** RFC 3501 6.2.3, RFC 8314: passwords only over TLS, except from loopback when configured (tests). */
  get loginAllowed(): boolean {
    return this.secure || (this.options.allowPlaintextLoopback && isLoopback(this.remoteAddress));
  }

  /** UTF-8 mailbox names and quoted strings: UTF8=ACCEPT (RFC 6855) or IMAP4rev2 (RFC 9051 5.1). */
  get utf8(): boolean {
    return this.enabled.has('UTF8=ACCEPT') || this.rev2;
  }

  /** The client ENABLEd IMAP4rev2 (RFC 9051): no \Recent, no UNSEEN code, ESEARCH replies. */
  get rev2(): boolean {
    return this.enabled.has('IMAP4rev2');
  }

  get compressing(): boolean {
    return this.deflate !== null;
  }

  get condstore(): boolean {
    return this.enabled.has('CONDSTORE');
  }

  /** RFC 7162 3.2.3: QRESYNC once enabled; it turns CONDSTORE on too, and expunges are reported as VANISHED. */
  get qresync(): boolean {
    return this.enabled.has('QRESYNC');
  }

  capabilities(): string[] {
    const list = [...BASE_CAPABILITIES];
    if (this.state === 'NOT_AUTHENTICATED') {
      if (this.canStartTls) list.push('STARTTLS');
      list.push(...(this.loginAllowed ? ['AUTH=PLAIN'] : ['LOGINDISABLED']));
    } else list.push('COMPRESS=DEFLATE');
    return list;
  }

  // --- output

  send(values: ResponseValue[]): void {
    if (this.closed) return;
    for (const piece of serializeLine(values, { utf8: this.utf8 })) this.write(piece);
  }

  untagged(...values: ResponseValue[]): void {
    this.send(['*', ...values]);
  }

  /** A line of text as it is (status responses, continuations). */
  sendText(line: string): void {
    if (this.closed) return;
    this.write(Buffer.from(`${line}\r\n`));
  }

  // Responses are gathered and written together: one write per response line
  // costs a system call each, and small segments meet delayed ACKs. Whatever
  // is gathered goes out by the next turn of the event loop at the latest.
  private write(chunk: Buffer): void {
    if (chunk.length >= OUTPUT_FLUSH_BYTES) {
      // A big literal goes out as it is, without a copy.
      this.flush();
      this.transmit(chunk);
      return;
    }
    this.output.push(chunk);
    this.outputBytes += chunk.length;
    if (this.outputBytes >= OUTPUT_FLUSH_BYTES) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes what was gathered. */
  flush(): void {
    this.flushScheduled = false;
    if (this.output.length === 0) return;
    const data = this.output.length === 1 ? this.output[0] : Buffer.concat(this.output, this.outputBytes);
    this.output = [];
    this.outputBytes = 0;
    if (!this.socket.destroyed) this.transmit(data);
  }

  private transmit(data: Buffer): void {
    if (this.deflate) this.deflate.write(data);
    else this.socket.write(data);
  }

  /**
   * Waits while the client reads slowly, so a big FETCH does not pile up in
   * memory; undefined when there is nothing to wait for (a FETCH asks after
   * every message: no promise and no turn of the microtask queue for each).
   */
  drain(): Promise<void> | undefined {
    const output = this.deflate?.output ?? this.socket;
    if (this.closed || !output.writableNeedDrain) return undefined;
    return new Promise<void>((resolve) => {
      const done = () => {
        output.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      output.on('drain', done);
      this.socket.on('close', done);
    });
  }

  // --- input

  /** The next line the client sends, instead of a command (IDLE's DONE, AUTHENTICATE's response). */
  readLine(): Promise<Buffer> {
    return new Promise((resolve) => {
      this.lineWaiter = resolve;
      this.resumeReading();
    });
  }

  private resumeReading(): void {
    if (this.closed) return;
    this.reader.resume();
  }

  /**
   * RFC 7888 4: before login a non-synchronizing literal that is too big
   * closes the connection; after it, it is read and dropped and the command
   * gets NO [TOOBIG].
   */
  private literalPolicy(firstLine: Buffer): LiteralPolicy {
    if (this.state === 'NOT_AUTHENTICATED') return { maxBytes: PRE_AUTH_LITERAL_BYTES, discardOversized: false };
    // Compressed, a few bytes could make us inflate gigabytes only to drop them: close instead.
    const discardOversized = !this.deflate;
    const append = /^\S+ APPEND /i.test(firstLine.subarray(0, 80).toString('latin1'));
    if (!append) return { maxBytes: COMMAND_LITERAL_BYTES, discardOversized };
    return { maxBytes: this.options.maxMessageSize + COMMAND_LITERAL_BYTES, discardOversized, maxLiterals: MAX_APPEND_MESSAGES };
  }

  private releaseLease(): void {
    this.lease?.release();
    this.lease = null;
  }

  private onCommand(bytes: Buffer): void {
    if (this.lineWaiter) {
      this.releaseLease();
      const waiter = this.lineWaiter;
      this.lineWaiter = null;
      this.reader.pause();
      waiter(bytes);
      return;
    }
    void this.execute(bytes);
  }

  private async execute(bytes: Buffer): Promise<void> {
    try {
      const wait = this.rate.take();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (this.closed) return;
      let status: 'OK' | 'NO' | 'BAD';
      this.running = true;
      // An unsolicited report (NOTIFY) in progress ends before the command sees the view.
      await this.refreshing;
      try {
        status = await runCommand(this, parseCommand(bytes));
      } catch (error) {
        if (!(error instanceof ImapParseError)) throw error;
        this.sendText(`${error.tag === '*' ? tagOf(bytes) : error.tag} BAD ${error.message}`);
        status = 'BAD';
      }
      this.badCommands = status === 'BAD' ? this.badCommands + 1 : 0;
      if (this.badCommands >= MAX_BAD_COMMANDS) {
        this.sendText('* BYE Too many bad commands');
        this.close();
      }
    } catch (error) {
      this.options.log(`imap: ${this.remoteAddress}: ${error instanceof Error ? error.stack : error}`);
      this.sendText(`* BYE Internal error`);
      this.close();
    } finally {
      this.running = false;
      this.sendNotificationsDue();
      // The APPEND message is stored (or refused): its memory is free for the next one.
      this.releaseLease();
      if (this.state !== 'LOGOUT') this.resumeReading();
    }
  }

  private onReaderError(error: ReaderError): void {
    this.releaseLease();
    const what = error.kind === 'literal-too-big' ? `Literal of ${error.size} bytes is too big` : error.kind === 'line-too-long' ? 'Line too long' : error.kind === 'command-too-long' ? 'Command too long' : 'Too many literals';
    if (error.recoverable) {
      // RFC 7888 4, RFC 9051 7.1: TOOBIG.
      this.sendText(`${error.tag} ${this.state === 'NOT_AUTHENTICATED' ? 'BAD' : 'NO'} [TOOBIG] ${what}`);
      return;
    }
    this.sendText(`${error.tag} BAD [TOOBIG] ${what}`);
    this.sendText('* BYE Closing the connection');
    this.close();
  }

  // --- store changes

  /** A change to one of the account's mailboxes happened (here or in another process). */
  notifyChange(change: StoreChange): void {
    if (this.idling && change.mailboxId !== undefined && change.mailboxId === this.selected?.id) {
      this.report(() => this.selected?.refresh(this, true));
      return;
    }
    // NOTIFY (RFC 5465): between commands and in IDLE; what comes during a command, after it.
    if (this.notify?.note(change, this.selected?.id) && (!this.running || this.idling)) this.sendNotificationsDue();
  }

  private sendNotificationsDue(): void {
    if (this.closed) return;
    for (const send of this.notify?.takeDue(this) ?? []) this.report(send);
  }

  /** Unsolicited responses, one report at a time; a command waits for them (execute). */
  private report(send: () => Promise<void> | undefined): void {
    const run = this.refreshing.then(send);
    this.refreshing = run.catch((error) => this.options.log(`imap: report: ${error}`));
  }

  /** Sends EXISTS, EXPUNGE (when allowed) and FETCH FLAGS for what changed in the selected mailbox. */
  refresh(allowExpunge: boolean): Promise<void> {
    const run = this.refreshing.then(() => this.selected?.refresh(this, allowExpunge));
    this.refreshing = run.catch(() => undefined);
    return run;
  }

  // --- connection

  setState(state: SessionState): void {
    this.state = state;
    this.socket.setTimeout(state === 'NOT_AUTHENTICATED' ? this.options.preAuthTimeoutMs : this.options.idleTimeoutMs);
  }

  /** STARTTLS (RFC 3501 6.2.1): after the OK, the same connection continues over TLS. */
  async startTls(): Promise<void> {
    // Anything the client sent after STARTTLS was sent in the clear: drop it (RFC 3207 5 attack).
    this.reader.discardPending();
    // The OK goes out in the clear, before the handshake.
    this.flush();
    this.detach(this.socket);
    const secureSocket = new TLSSocket(this.socket, { isServer: true, secureContext: this.options.secureContext });
    this.socket = secureSocket;
    this.secure = true;
    this.attach(secureSocket);
    await new Promise<void>((resolve) => {
      secureSocket.once('secure', resolve);
      secureSocket.once('close', resolve);
    });
  }

  /**
   * COMPRESS DEFLATE (RFC 4978 3): after the OK, which goes out uncompressed,
   * both directions are deflated. Input that came before the OK was sent
   * cannot be compressed input: it is dropped, as after STARTTLS.
   */
  startCompression(): void {
    this.reader.discardPending();
    this.flush();
    this.socket.off('data', this.onData);
    this.deflate = new DeflateStream(this.socket, {
      data: this.onData,
      error: () => {
        this.sendText('* BYE Invalid compressed data');
        this.close();
      },
    });
  }

  private readonly onData = (chunk: Buffer) => this.reader.push(chunk);
  private readonly onTimeout = () => {
    this.sendText('* BYE Autologout; idle for too long');
    this.close();
  };
  private readonly onClose = () => this.cleanUp();
  private readonly onError = () => this.cleanUp();

  private attach(socket: Socket): void {
    // Output is gathered into whole responses already (see write()), so Nagle would only delay it.
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    socket.on('timeout', this.onTimeout);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
    socket.setTimeout(this.state === 'NOT_AUTHENTICATED' ? this.options.preAuthTimeoutMs : this.options.idleTimeoutMs);
  }

  private detach(socket: Socket): void {
    socket.off('data', this.onData);
    socket.off('timeout', this.onTimeout);
    socket.off('close', this.onClose);
    socket.off('error', this.onError);
  }

  /** Ends the connection after what was written. */
  close(): void {
    if (this.closed) return;
    this.state = 'LOGOUT';
    this.reader.stop();
    this.flush();
    if (this.deflate) this.deflate.end();
    else this.socket.end();
    this.closed = true;
    // A client that does not close its side must not keep the socket open.
    setTimeout(() => this.socket.destroy(), 5000).unref();
  }

  /** Daemon shutdown. */
  terminate(): void {
    this.sendText('* BYE Server shutting down');
    this.close();
  }

  private cleanUp(): void {
    this.releaseLease();
    this.closed = true;
    this.state = 'LOGOUT';
    this.reader.stop();
    this.lineWaiter?.(Buffer.alloc(0));
    this.lineWaiter = null;
    this.deflate?.destroy();
    this.socket.destroy();
    this.markFinished();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
