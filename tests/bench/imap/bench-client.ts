// A lean IMAP client for the benchmarks: sends one command at a time and
// reads the responses up to its tagged line. Literals in responses are
// skipped (their bytes are not kept); each response is handed whole, with the
// literals left out, to `onResponse`, which the stress run's checker reads.
import { connect, type Socket } from 'node:net';
import { BENCH_ADDRESS } from '../bench-address.ts';

export interface Tagged {
  /** "OK", "NO" or "BAD". */
  status: string;
  /** The tagged line without the tag. */
  line: string;
}

export class BenchClient {
  private buffer: Buffer = Buffer.alloc(0);
  private literalLeft = 0;
  /** The start of a response cut by a literal. */
  private partial = '';
  private waiter: { tag: string; resolve: (tagged: Tagged) => void; reject: (e: Error) => void } | null = null;
  private lineWaiter: ((line: string) => void) | null = null;
  private tag = 0;
  /** Responses read so far (untagged and tagged). */
  lines = 0;
  /** Every response, whole, literals left out. */
  onResponse: (line: string) => void = () => undefined;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.waiter?.reject(error));
    socket.on('close', () => this.waiter?.reject(new Error('connection closed')));
  }

  /** Connects and reads the greeting. */
  static async open(port: number): Promise<BenchClient> {
    const socket = connect({ host: BENCH_ADDRESS, port });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.setNoDelay(true);
    const client = new BenchClient(socket);
    const greeting = await new Promise<string>((resolve) => (client.lineWaiter = resolve));
    if (!greeting.startsWith('* OK')) throw new Error(`greeting: ${greeting}`);
    return client;
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.literalLeft > 0) {
        const take = Math.min(this.literalLeft, this.buffer.length);
        this.literalLeft -= take;
        this.buffer = this.buffer.subarray(take);
        if (this.literalLeft > 0) return;
      }
      const lf = this.buffer.indexOf(0x0a);
      if (lf === -1) return;
      const line = this.buffer.toString('latin1', 0, lf).replace(/\r$/, '');
      this.buffer = this.buffer.subarray(lf + 1);
      const literal = /\{(\d+)\}$/.exec(line);
      if (literal) {
        this.literalLeft = Number(literal[1]);
        this.partial += line.slice(0, literal.index) + '""';
        continue;
      }
      this.onLine(this.partial + line);
      this.partial = '';
    }
  }

  private onLine(line: string): void {
    this.lines++;
    if (this.lineWaiter) {
      const waiter = this.lineWaiter;
      this.lineWaiter = null;
      waiter(line);
      return;
    }
    this.onResponse(line);
    if (this.waiter && line.startsWith(`${this.waiter.tag} `)) {
      const waiter = this.waiter;
      this.waiter = null;
      const rest = line.slice(waiter.tag.length + 1);
      waiter.resolve({ status: rest.split(' ', 1)[0].toUpperCase(), line: rest });
    }
  }

  /** Sends a command (with a LITERAL+ literal after it, if given); resolves with its tagged response. */
  send(text: string, literal?: Buffer): Promise<Tagged> {
    const tag = `b${++this.tag}`;
    const done = new Promise<Tagged>((resolve, reject) => (this.waiter = { tag, resolve, reject }));
    if (literal) this.socket.write(Buffer.concat([Buffer.from(`${tag} ${text} {${literal.length}+}\r\n`), literal, Buffer.from('\r\n')]));
    else this.socket.write(`${tag} ${text}\r\n`);
    return done;
  }

  /** Sends a command; resolves with its tagged OK line, rejects on NO or BAD. */
  async command(text: string): Promise<string> {
    const tagged = await this.send(text);
    if (tagged.status !== 'OK') throw new Error(`${text.slice(0, 40)}: ${tagged.line}`);
    return tagged.line;
  }

  /** IDLE, up to its continuation. */
  async idle(): Promise<void> {
    const continued = new Promise<string>((resolve) => (this.lineWaiter = resolve));
    this.socket.write(`i IDLE\r\n`);
    const line = await continued;
    if (!line.startsWith('+')) throw new Error(`IDLE: ${line}`);
  }

  close(): void {
    this.socket.destroy();
  }
}
