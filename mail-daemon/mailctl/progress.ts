// Progress of a long mailctl run (import, export) on stderr: messages done
// of the total, rate and time left. On a terminal one line is rewritten in
// place; otherwise (a log, a pipe) a line is written at every tenth of the
// way and at least every half minute, so a log shows the run moving.
import { formatMegabytes } from '../config/byte-size.ts';

export interface ProgressTotal {
  messages?: number;
  /** When the messages are not counted beforehand (an mbox file): the bytes to read. */
  bytes?: number;
}

export interface ProgressOutput {
  isTTY?: boolean;
  write(text: string): unknown;
}

const TTY_EVERY_MS = 250;
const LOG_EVERY_MS = 30_000;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export class Progress {
  private messages = 0;
  private bytes = 0;
  private readonly started = Date.now();
  private lastWrite = 0;
  private lastTenth = 0;
  private lineShown = false;
  private lastLogged = -1;

  constructor(
    private readonly verb: string,
    private total: ProgressTotal = {},
    private readonly out: ProgressOutput = process.stderr,
  ) {}

  setTotal(total: ProgressTotal): void {
    this.total = total;
  }

  /** One more message handled (imported, skipped or exported) of `bytes`, and where the reader is in its input. */
  advance(bytes: number, position?: number): void {
    this.messages++;
    this.bytes = position ?? this.bytes + bytes;
    const now = Date.now();
    const tenth = Math.floor(this.fraction() * 10);
    if (this.out.isTTY) {
      if (now - this.lastWrite < TTY_EVERY_MS) return;
      this.out.write(`\r${this.line()}\x1b[K`);
      this.lineShown = true;
    } else {
      if (tenth <= this.lastTenth && now - this.lastWrite < LOG_EVERY_MS) return;
      this.lastTenth = tenth;
      this.lastLogged = this.messages;
      this.out.write(`${this.line()}\n`);
    }
    this.lastWrite = now;
  }

  /** A warning between progress lines, not in the middle of one. */
  warn(text: string): void {
    if (this.lineShown) this.out.write('\r\x1b[K');
    this.lineShown = false;
    this.out.write(`${text}\n`);
  }

  /** The last state, once: on a terminal the line is finished, in a log the final line added. */
  finish(): void {
    if (this.messages === 0) return;
    if (this.out.isTTY) this.out.write(`\r${this.line()}\x1b[K\n`);
    else if (this.messages !== this.lastLogged) this.out.write(`${this.line()}\n`);
    this.lineShown = false;
    this.lastLogged = this.messages;
  }

  private fraction(): number {
    if (this.total.messages) return Math.min(1, this.messages / this.total.messages);
    if (this.total.bytes) return Math.min(1, this.bytes / this.total.bytes);
    return 0;
  }

  line(): string {
    const seconds = Math.max(0.001, (Date.now() - this.started) / 1000);
    const rate = this.messages / seconds;
    const fraction = this.fraction();
    const count = this.total.messages ? `${this.messages}/${this.total.messages} messages` : `${this.messages} messages`;
    const share = this.total.bytes && !this.total.messages ? ` (${Math.floor(fraction * 100)}% of ${formatMegabytes(this.total.bytes)})` : this.total.messages ? ` (${Math.floor(fraction * 100)}%)` : '';
    const left = fraction > 0 && fraction < 1 ? `, ${duration((seconds / fraction) * (1 - fraction))} left` : '';
    return `${this.verb}: ${count}${share}, ${rate.toFixed(rate < 10 ? 1 : 0)} messages/s, ${formatMegabytes(this.bytes / seconds)}/s${left}`;
  }
}
