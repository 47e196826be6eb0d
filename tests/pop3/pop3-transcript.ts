// A raw POP3 client for transcript tests: send a line, expect a reply. It
// keeps the bytes as they arrive, so a test can check a RETR reply octet by
// octet, and can switch to TLS after STLS.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import assert from 'node:assert/strict';

const TIMEOUT_MS = 10_000;

export class Pop3Transcript {
  private buffer = Buffer.alloc(0);
  private waiter: (() => void) | null = null;
  private ended = false;
  greeting = '';

  private constructor(private socket: Socket) {
    this.attach(socket);
  }

  static async connect(port: number, options: { tls?: boolean } = {}): Promise<Pop3Transcript> {
    const socket = options.tls
      ? tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false })
      : netConnect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once(options.tls ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    const client = new Pop3Transcript(socket);
    client.greeting = await client.line();
    return client;
  }

  private attach(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }

  private async waitFor<T>(take: () => T | null, what: string): Promise<T> {
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const value = take();
      if (value !== null) return value;
      if (this.ended) throw new Error(`connection closed while waiting for ${what}; got ${JSON.stringify(this.buffer.toString('latin1'))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.buffer.toString('latin1'))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Sends one line (CRLF added) or raw bytes. */
  send(line: string | Buffer): void {
    this.socket.write(typeof line === 'string' ? `${line}\r\n` : line);
  }

  /** The next reply line, without its CRLF. */
  line(): Promise<string> {
    return this.waitFor(() => {
      const crlf = this.buffer.indexOf('\r\n');
      if (crlf === -1) return null;
      const text = this.buffer.toString('utf8', 0, crlf);
      this.buffer = this.buffer.subarray(crlf + 2);
      return text;
    }, 'a line');
  }

  /** The raw bytes of a multi-line body up to and including the terminating ".\r\n". */
  body(): Promise<Buffer> {
    return this.waitFor(() => {
      const at = this.buffer.subarray(0, 3).equals(Buffer.from('.\r\n')) ? 0 : this.buffer.indexOf('\r\n.\r\n');
      if (at === -1) return null;
      const end = at === 0 ? 3 : at + 5;
      const bytes = this.buffer.subarray(0, end);
      this.buffer = this.buffer.subarray(end);
      return Buffer.from(bytes);
    }, 'a multi-line body');
  }

  /** The lines of a multi-line body, without the terminator and with byte-stuffing removed. */
  async lines(): Promise<string[]> {
    const text = (await this.body()).toString('utf8');
    const lines = text.split('\r\n').slice(0, -2);
    return lines.map((l) => (l.startsWith('.') ? l.slice(1) : l));
  }

  /** Sends a command and returns its first reply line. */
  async command(line: string): Promise<string> {
    this.send(line);
    return this.line();
  }

  /** Sends a command and asserts its reply: an exact string, or a pattern. */
  async expect(line: string, reply: string | RegExp): Promise<string> {
    const got = await this.command(line);
    if (typeof reply === 'string') assert.equal(got, reply, `reply to ${line}`);
    else assert.match(got, reply, `reply to ${line}`);
    return got;
  }

  /** Sends a command that answers with a multi-line reply; returns the status line and the lines. */
  async multi(line: string, status: RegExp = /^\+OK/): Promise<string[]> {
    await this.expect(line, status);
    return this.lines();
  }

  async login(user: string, password: string): Promise<string> {
    await this.expect(`USER ${user}`, /^\+OK/);
    return this.expect(`PASS ${password}`, /^\+OK/);
  }

  /** STLS, then the TLS handshake on the same connection; `pipelined` goes in the same write as STLS. */
  async startTls(pipelined = ''): Promise<void> {
    this.send(`STLS\r\n${pipelined}`);
    assert.match(await this.line(), /^\+OK/);
    const raw = this.socket;
    raw.removeAllListeners('data');
    raw.removeAllListeners('close');
    const secured = tlsConnect({ socket: raw, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secured.once('secureConnect', () => resolve());
      secured.once('error', reject);
    });
    this.socket = secured;
    this.attach(secured);
  }

  /** Resolves when the server has closed the connection. */
  closed(): Promise<void> {
    return this.waitFor(() => (this.ended ? true : null), 'the connection to close').then(() => undefined);
  }

  /** Drops the connection without QUIT. */
  async drop(): Promise<void> {
    this.socket.destroy();
    this.ended = true;
  }

  async quit(): Promise<string> {
    const reply = await this.command('QUIT');
    await this.closed();
    return reply;
  }
}
