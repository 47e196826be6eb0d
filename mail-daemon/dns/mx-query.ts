// MX and TXT answers with their TTL (RFC 1035 3.2.1), which Node's
// resolveMx and resolveTxt drop, so the outbound queue (MX) and the inbound
// checks (TXT: SPF, DKIM, DMARC) can keep them exactly as long as the domain
// says: one question over UDP to each resolver in turn, asked again over TCP
// when the answer comes truncated (RFC 1035 4.2.1, RFC 7766). A negative
// answer lasts as the SOA in its authority section says (RFC 2308 5).
import dgram from 'node:dgram';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import type { MxRecord } from './resolver.ts';

export interface RecordAnswer<T> {
  /** Empty when the name has no record of the type (NODATA). */
  records: T[];
  /** Seconds the answer may be kept; Infinity when nothing says (NODATA without an SOA). */
  ttl: number;
}

export type MxAnswer = RecordAnswer<MxRecord>;

/** A name that does not exist (NXDOMAIN), with how long that may be kept (RFC 2308 5). */
export interface MissingName {
  missing: true;
  /** Seconds; Infinity when the answer had no SOA. */
  ttl: number;
}

/** How each type's record data reads from dns-packet's decoding: TXT as Node gives it, its strings in an array. */
const RECORD_READERS = {
  MX: (data: dnsPacket.MxData): MxRecord => ({ priority: data.preference ?? 0, exchange: data.exchange }),
  TXT: (data: dnsPacket.TxtData): string[] => (Array.isArray(data) ? data : [data]).map((part) => (typeof part === 'string' ? part : part.toString('utf8'))),
};

type RecordType = keyof typeof RECORD_READERS;
type RecordOf<K extends RecordType> = ReturnType<(typeof RECORD_READERS)[K]>;

function dnsError(code: string, name: string): Error {
  // The shape of Node's DNS errors (findMailRoute reads code and hostname).
  return Object.assign(new Error(`queryMx ${code} ${name}`), { code, hostname: name, syscall: 'queryMx' });
}

function questionPacket(id: number, name: string, type: RecordType): Buffer {
  return dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name: name.replace(/\.$/, ''), class: 'IN' }] });
}

/** The answer for `name`, or null when the packet is not the answer to our question `id`. dns-packet throws on a packet that runs short or points its names at themselves. */
function parseResponse<K extends RecordType>(raw: Buffer, id: number, name: string, wanted: K): { truncated: boolean; rcode: string; answer: RecordAnswer<RecordOf<K>> } | null {
  const packet = dnsPacket.decode(raw);
  if (packet.id !== id || packet.type !== 'response') return null;
  const asked = name.toLowerCase().replace(/\.$/, '');
  if ((packet.questions ?? []).some((question) => question.name.toLowerCase() !== asked)) return null;
  const records: RecordOf<K>[] = [];
  let ttl = Infinity;
  for (const answer of packet.answers ?? []) {
    if (answer.type !== wanted) continue;
    records.push(RECORD_READERS[wanted](answer.data as never) as RecordOf<K>);
    ttl = Math.min(ttl, answer.ttl ?? 0);
  }
  let negativeTtl = Infinity;
  for (const authority of packet.authorities ?? []) {
    // RFC 2308 5: a negative answer lasts min(SOA TTL, SOA MINIMUM).
    if (authority.type === 'SOA') negativeTtl = Math.min(negativeTtl, authority.ttl ?? 0, authority.data.minimum ?? 0);
  }
  // dns-packet names the header's RCODE (its typings leave the field out).
  const { rcode } = packet as dnsPacket.DecodedPacket & { rcode: string };
  return { truncated: packet.flag_tc === true, rcode, answer: { records, ttl: records.length > 0 ? ttl : negativeTtl } };
}

interface Server {
  host: string;
  port: number;
}

/** "1.2.3.4", "1.2.3.4:53", "::1", "[::1]:53", as Resolver.getServers() gives them. */
export function parseServer(server: string): Server {
  const bracketed = /^\[(.+)\]:(\d+)$/.exec(server);
  if (bracketed) return { host: bracketed[1], port: Number(bracketed[2]) };
  if (net.isIP(server) === 6) return { host: server, port: 53 };
  const [host, port] = server.split(':');
  return { host, port: port ? Number(port) : 53 };
}

type Settle = (error?: Error) => void;

/** One question on a socket `open` makes: settled once, by the answer, an error or the timeout, and the socket closed then. */
function exchange(timeoutMs: number, accept: (packet: Buffer) => boolean, open: (done: Settle, answer: (packet: Buffer) => void) => { close(): void }): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done: Settle = (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve();
    };
    // A packet that is no answer to our question leaves the exchange open; a malformed one ends it.
    const answer = (packet: Buffer) => {
      try {
        if (accept(packet)) done();
      } catch (error) {
        done(error as Error);
      }
    };
    const timer = setTimeout(() => done(dnsError('ETIMEOUT', '')), timeoutMs);
    const socket = open(done, answer);
  });
}

function overUdp(server: Server, query: Buffer, timeoutMs: number, accept: (packet: Buffer) => boolean): Promise<void> {
  return exchange(timeoutMs, accept, (done, answer) => {
    const socket = dgram.createSocket(net.isIP(server.host) === 6 ? 'udp6' : 'udp4');
    socket.on('error', (error) => done(error));
    socket.on('message', (packet, peer) => {
      // Only the server asked may answer (a spoofed packet is ignored).
      if (peer.port === server.port) answer(packet);
    });
    // Connected, so that a port nobody listens on answers at once (ICMP unreachable is ECONNREFUSED), as c-ares does, instead of after the timeout.
    socket.connect(server.port, server.host, () => socket.send(query, (error) => error && done(error)));
    return socket;
  });
}

function overTcp(server: Server, query: Buffer, timeoutMs: number, accept: (packet: Buffer) => boolean): Promise<void> {
  return exchange(timeoutMs, accept, (done, answer) => {
    const socket = net.connect({ host: server.host, port: server.port });
    let received = Buffer.alloc(0);
    socket.on('error', (error) => done(error));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
      // Over TCP the one message that comes back must be the answer (RFC 7766 7).
      answer(received.subarray(2, 2 + received.readUInt16BE(0)));
      done(dnsError('EBADRESP', ''));
    });
    const length = Buffer.alloc(2);
    length.writeUInt16BE(query.length);
    socket.write(Buffer.concat([length, query]));
    return { close: () => socket.destroy() };
  });
}

/**
 * The MX records of `name` and how long they may be kept. Throws as Node's
 * resolveMx does: ENOTFOUND for a name that does not exist, ESERVFAIL,
 * ETIMEOUT and the like when no server gave an answer.
 */
export async function queryMx(servers: string[], name: string, options: { timeoutMs: number; tries: number }): Promise<MxAnswer> {
  const answer = await queryRecords(servers, name, 'MX', options);
  if ('missing' in answer) throw dnsError('ENOTFOUND', name);
  return answer;
}

/** The records of one type at `name` with how long they may be kept, or that the name is missing; throws ESERVFAIL, ETIMEOUT and the like when no server gave an answer. */
export async function queryRecords<K extends RecordType>(servers: string[], name: string, type: K, options: { timeoutMs: number; tries: number }): Promise<RecordAnswer<RecordOf<K>> | MissingName> {
  let lastError: Error = dnsError('ECONNREFUSED', name);
  for (let attempt = 0; attempt < options.tries; attempt++) {
    for (const server of servers.map(parseServer)) {
      const id = randomInt(0x10000);
      const query = questionPacket(id, name, type);
      const got: { response: ReturnType<typeof parseResponse<K>> } = { response: null };
      const accept = (packet: Buffer) => (got.response = parseResponse(packet, id, name, type)) !== null;
      try {
        await overUdp(server, query, options.timeoutMs, accept);
        if (got.response!.truncated) await overTcp(server, query, options.timeoutMs, accept);
      } catch (error) {
        const e = error as NodeJS.ErrnoException;
        lastError = e.code === 'ETIMEOUT' || !e.code ? dnsError(e.code ?? 'EBADRESP', name) : e;
        continue;
      }
      const { rcode, answer } = got.response!;
      if (rcode === 'NOERROR') return answer;
      if (rcode === 'NXDOMAIN') return { missing: true, ttl: answer.ttl };
      lastError = dnsError(rcode === 'SERVFAIL' ? 'ESERVFAIL' : rcode === 'REFUSED' ? 'EREFUSED' : 'EBADRESP', name);
    }
  }
  throw lastError;
}
