// PostgreSQL connections for reads that send each statement at once, without
// waiting for the answers to the ones before (pg's pipeline mode; the
// extended protocol with a Sync per statement, so one failing leaves the
// next ones alone), and send the statements of one turn of the event loop
// (until its check phase: the reads of all the sockets that had data) in
// one write. On the SMTP accept path each read was a write of its own on
// a pooled connection, and the pool's queueing on top: the writes were 22%
// of the daemon's main thread with 8 pipelined sessions (issue 12), the pool
// 15%. The reads of several sessions, or of one message (the junk filter's
// and the rules'), now share a write and the backend answers them in a row.
//
// Several connections: the statements of one turn go on one, and the next
// turn's on one with nothing pending, so that one long read (an IMAP FETCH of
// a large mailbox) holds up only the reads sent with it. A connection that fails is dropped and made again for
// the next statement; its pending statements fail with its error.
import type { Socket } from 'node:net';
import pg from 'pg';
import { postgresTypes } from './driver-statements.ts';

/** The client's socket (pg keeps it as connection.stream; its own ref() and unref() are not in its types). */
const socketOf = (client: pg.Client) => (client as unknown as { connection: { stream: Socket } }).connection.stream;

interface Connection {
  client: pg.Client;
  ready: Promise<void>;
  connected: boolean;
  pending: number;
  /**
   * It takes this turn's statements, until setImmediate (a nextTick sent each
   * session's reads apart: a fifth more of the main thread's time a message).
   */
  collecting: boolean;
  /** Its socket holds their writes (once connected). */
  corked: boolean;
  broken: boolean;
}

export interface PostgresPipelines {
  query(config: pg.QueryConfig): Promise<pg.QueryResult>;
  end(): Promise<void>;
}

/** Up to `count` connections, made when first needed; timestamps read as the pool's (driver-statements.ts). */
export function postgresPipelines(url: string, count: number): PostgresPipelines {
  const slots: (Connection | null)[] = Array.from({ length: count }, () => null);
  let ended = false;

  const open = (index: number): Connection => {
    const client = new pg.Client({ connectionString: url, types: postgresTypes, pipeline: true } as pg.ClientConfig);
    const connection: Connection = { client, ready: Promise.resolve(), connected: false, pending: 0, collecting: false, corked: false, broken: false };
    const drop = () => {
      connection.broken = true;
      if (slots[index] === connection) slots[index] = null;
    };
    client.on('error', drop);
    client.on('end', drop);
    connection.ready = client.connect().then(
      () => {
        connection.connected = true;
        // Idle, it does not keep the process alive (as the pool's allowExitOnIdle).
        if (connection.pending === 0) socketOf(client).unref();
      },
      (error) => {
        drop();
        throw error;
      },
    );
    connection.ready.catch(() => undefined);
    return connection;
  };

  /** The connection that holds this turn's writes; else the first with nothing pending; else a new one while there is room; else the least busy. */
  const pick = (): Connection => {
    let least: Connection | null = null;
    let free = -1;
    for (const [i, slot] of slots.entries()) {
      if (!slot) {
        if (free === -1) free = i;
        continue;
      }
      if (slot.collecting || slot.pending === 0) return slot;
      if (!least || slot.pending < least.pending) least = slot;
    }
    if (free !== -1) return (slots[free] = open(free));
    return least!;
  };

  /** This turn's statements go on `connection`; its socket holds their writes until the turn's check phase. */
  const claimTurn = (connection: Connection) => {
    if (connection.collecting) return;
    connection.collecting = true;
    setImmediate(() => {
      connection.collecting = false;
      if (!connection.corked) return;
      connection.corked = false;
      socketOf(connection.client).uncork();
    });
  };

  const send = (connection: Connection, config: pg.QueryConfig): Promise<pg.QueryResult> => {
    if (connection.collecting && !connection.corked) {
      connection.corked = true;
      socketOf(connection.client).cork();
    }
    return connection.client.query(config);
  };

  return {
    async query(config) {
      if (ended) throw new Error('the PostgreSQL read connections are closed');
      const connection = pick();
      claimTurn(connection);
      if (connection.pending++ === 0 && connection.connected) socketOf(connection.client).ref();
      try {
        if (!connection.connected) await connection.ready;
        return await send(connection, config);
      } finally {
        if (--connection.pending === 0 && connection.connected && !connection.broken) socketOf(connection.client).unref();
      }
    },
    async end() {
      ended = true;
      await Promise.all(
        slots.map(async (slot) => {
          if (!slot) return;
          await slot.ready.catch(() => undefined);
          // Until it has closed: an idle connection's socket does not keep the process alive.
          if (slot.connected) socketOf(slot.client).ref();
          await slot.client.end().catch(() => undefined);
        }),
      );
    },
  };
}
