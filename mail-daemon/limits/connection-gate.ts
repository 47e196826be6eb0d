// One service's connection slots (SMTP, IMAP or POP3, over all its ports):
// at most perAddress connections from one client address, and perService in
// all, well below the process's descriptor limit, so one flooded service
// never takes the descriptors the others need to greet (issue 11).
//
// Sockets are counted from the moment they are accepted, before any TLS
// handshake, to the moment they close. A socket over a limit is not dropped
// at once: the protocol refuses it in its own words (refusalOf), so a real
// client learns why. Those refusals are bounded too, with a deadline; beyond
// them a socket is closed without a word.
import type { Server, Socket } from 'node:net';
import { clientKey, exactAddress } from '../dns/ip-address.ts';
import { connectionClosed, connectionDropped, connectionOpened, type ConnectionService } from '../metrics/metrics.ts';

export interface ConnectionLimits {
  perAddress: number;
  perService: number;
}

export type Refusal = 'address' | 'service';

/** MAX_CONNECTIONS_PER_ADDRESS and MAX_CONNECTIONS_PER_SERVICE unless set. */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { perAddress: 20, perService: 1000 };

/**
 * The limits to apply: perService at most a fifth of the descriptor limit, so
 * the three services, their refusals and the database fit in it together.
 */
export function connectionLimitsFor(configured: ConnectionLimits, openFiles: number | null): ConnectionLimits {
  const fits = openFiles === null ? Infinity : Math.max(1, Math.floor(openFiles / 5));
  return { perAddress: configured.perAddress, perService: Math.min(configured.perService, fits) };
}

/** How long a refused socket may take to read its refusal (an implicit TLS handshake comes first). */
const REFUSAL_DEADLINE_MS = 10_000;

/** The ends of a TCP connection, the same on the raw socket, its TLS socket and smtp-server's session. */
export interface ConnectionEnds {
  remoteAddress?: string;
  remotePort?: number;
  localAddress?: string;
  localPort?: number;
}

// The connection's four ends, each address whole: two clients of one /64 may
// use the same port, and one client may reach two of our addresses from one
// port; keyed by less, the second socket took the first one's entry and its
// slot was never given back.
function socketKey(socket: ConnectionEnds): string {
  return `${exactAddress(socket.remoteAddress ?? '')}|${socket.remotePort}|${exactAddress(socket.localAddress ?? '')}|${socket.localPort}`;
}

interface Counted {
  address: string;
  refusal: Refusal | null;
  deadline?: NodeJS.Timeout;
}

export class ConnectionGate {
  /** Open sockets per address key, refused ones included. */
  private readonly perAddress = new Map<string, number>();
  private admitted = 0;
  private refusing = 0;
  /** Every counted socket by its ends, until it is released. */
  private readonly counted = new Map<string, Counted>();
  private readonly maxRefusing: number;

  constructor(
    readonly limits: ConnectionLimits,
    /** The service whose connections the metrics count. */
    readonly service: ConnectionService,
  ) {
    this.maxRefusing = Math.max(8, Math.ceil(limits.perService / 8));
  }

  get open(): number {
    return this.admitted + this.refusing;
  }

  /** Counts every socket the listener accepts. Runs before the listener's own handler. */
  watch(server: Server): void {
    server.prependListener('connection', (socket: Socket) => this.count(socket));
  }

  /** Why this connection (just accepted on a watched listener) must be refused, or null. */
  refusalOf(socket: ConnectionEnds): Refusal | null {
    return this.counted.get(socketKey(socket))?.refusal ?? null;
  }

  /**
   * The connection is over. Runs when the accepted socket closes; a protocol
   * whose library takes the socket's listeners away (smtp-server at STARTTLS)
   * calls it from its own close event too. Only the first call counts.
   */
  release(socket: ConnectionEnds): void {
    const key = socketKey(socket);
    const entry = this.counted.get(key);
    if (!entry) return;
    this.counted.delete(key);
    const left = (this.perAddress.get(entry.address) ?? 1) - 1;
    if (left > 0) this.perAddress.set(entry.address, left);
    else this.perAddress.delete(entry.address);
    connectionClosed(this.service);
    if (entry.refusal) {
      this.refusing -= 1;
      clearTimeout(entry.deadline);
    } else {
      this.admitted -= 1;
    }
  }

  private count(socket: Socket): void {
    const address = clientKey(socket.remoteAddress ?? '');
    const fromAddress = this.perAddress.get(address) ?? 0;
    const refusal: Refusal | null = fromAddress >= this.limits.perAddress ? 'address' : this.admitted >= this.limits.perService ? 'service' : null;
    if (refusal && (this.refusing >= this.maxRefusing || fromAddress >= 2 * this.limits.perAddress)) {
      socket.on('error', () => undefined);
      socket.destroy();
      connectionDropped(this.service);
      return;
    }
    // The ends, read now: a closed socket forgets them.
    const ends: ConnectionEnds = { remoteAddress: socket.remoteAddress, remotePort: socket.remotePort, localAddress: socket.localAddress, localPort: socket.localPort };
    const entry: Counted = { address, refusal };
    this.perAddress.set(address, fromAddress + 1);
    connectionOpened(this.service);
    if (refusal) {
      this.refusing += 1;
      entry.deadline = setTimeout(() => socket.destroy(), REFUSAL_DEADLINE_MS).unref();
    } else {
      this.admitted += 1;
    }
    this.counted.set(socketKey(ends), entry);
    socket.once('close', () => this.release(ends));
  }
}
