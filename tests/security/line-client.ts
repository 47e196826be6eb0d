// A raw line client for attack transcripts on any text protocol (SMTP, IMAP,
// POP3), from a chosen loopback source address so that one test plays
// several clients: send a line, wait for the reply line that matches.
import { connect, type Socket } from 'node:net';

const TIMEOUT_MS = 15_000;

export class LineClient {
  private buffer = '';
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Connects from `from` (a loopback address) to 127.0.0.1:port. */
  static async open(port: number, from: string): Promise<LineClient> {
    const socket = connect({ host: '127.0.0.1', port, localAddress: from });
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new LineClient(socket);
  }

  /** Lines up to and including the first that matches `last`. */
  async until(last: RegExp): Promise<string[]> {
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const lines = this.buffer.split('\r\n');
      const index = lines.slice(0, -1).findIndex((line) => last.test(line));
      if (index >= 0) {
        this.buffer = lines.slice(index + 1).join('\r\n');
        return lines.slice(0, index + 1);
      }
      if (this.closed) throw new Error(`closed while waiting for ${last}; got ${JSON.stringify(this.buffer)}`);
      if (Date.now() > deadline) throw new Error(`no line matching ${last}; got ${JSON.stringify(this.buffer)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends one line and returns the reply's last line (the one matching `last`). */
  async send(line: string, last: RegExp): Promise<string> {
    this.socket.write(`${line}\r\n`);
    const lines = await this.until(last);
    return lines[lines.length - 1];
  }

  /** Resolves when the server has closed the connection. */
  async closedByServer(): Promise<void> {
    while (!this.closed) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.socket.destroy();
  }
}

export const SMTP_REPLY = /^\d{3} /;
export const POP3_REPLY = /^[+-]/;
export const imapTagged = (tag: string) => new RegExp(`^${tag} (OK|NO|BAD)`);

/** Waits for the greeting, then sends each line and waits for its reply: the last reply. */
export async function transcript(port: number, from: string, greeting: RegExp, steps: [string, RegExp][]): Promise<string> {
  const client = await LineClient.open(port, from);
  try {
    await client.until(greeting);
    let last = '';
    for (const [line, reply] of steps) last = await client.send(line, reply);
    return last;
  } finally {
    client.close();
  }
}

// One login attempt each, on a fresh connection from `from`: the final reply line.
export const imapLogin = (port: number, from: string, user: string, password: string) =>
  transcript(port, from, /^\* OK/, [[`a LOGIN "${user}" "${password}"`, imapTagged('a')]]);

export const pop3Login = (port: number, from: string, user: string, password: string) =>
  transcript(port, from, POP3_REPLY, [[`USER ${user}`, POP3_REPLY], [`PASS ${password}`, POP3_REPLY]]);

export const smtpLogin = (port: number, from: string, user: string, password: string) =>
  transcript(port, from, SMTP_REPLY, [['EHLO client.test', SMTP_REPLY], [`AUTH PLAIN ${Buffer.from(`\0${user}\0${password}`).toString('base64')}`, SMTP_REPLY]]);
