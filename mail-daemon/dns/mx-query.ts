// MX and TXT answers with their TTL (RFC 1035 3.2.1), which Node's
// resolveMx and resolveTxt drop, so the outbound queue (MX) and the inbound
// checks (TXT: SPF, DKIM, DMARC) can keep them exactly as long as the domain
// says: one question over UDP to each resolver in turn, asked again over TCP
// when the answer comes truncated (RFC 1035 4.2.1, RFC 7766). A negative
// answer lasts as the SOA in its authority section says (RFC 2308 5).
import dgram from 'node:dgram';
import net from 'node:net';
import { randomInt } from 'node:crypto';
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

/** How each type's record data reads (RFC 1035 3.3.9, 3.3.14): TXT as Node gives it, its strings in an array. */
const RECORD_TYPES = {
  MX: { code: 15, read: (packet: Buffer, data: number): MxRecord => ({ priority: packet.readUInt16BE(data), exchange: readName(packet, data + 2).name }) },
  TXT: {
    code: 16,
    read: (packet: Buffer, data: number, end: number): string[] => {
      const strings: string[] = [];
      for (let at = data; at < end; at += 1 + packet[at]) {
        if (at + 1 + packet[at] > end) throw new Error('TXT string runs past its record');
        strings.push(packet.toString('utf8', at + 1, at + 1 + packet[at]));
      }
      return strings;
    },
  },
};

type RecordType = keyof typeof RECORD_TYPES;
type RecordOf<K extends RecordType> = ReturnType<(typeof RECORD_TYPES)[K]['read']>;
const TYPE_SOA = 6;
const RCODE_NXDOMAIN = 3;

function dnsError(code: string, name: string): Error {
  // The shape of Node's DNS errors (findMailRoute reads code and hostname).
  return Object.assign(new Error(`queryMx ${code} ${name}`), { code, hostname: name, syscall: 'queryMx' });
}

function questionPacket(id: number, name: string, type: number): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l.length > 0);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // RD: recursion desired
  header.writeUInt16BE(1, 4);
  const qname = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])), Buffer.from([0])]);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(1, 2); // IN
  return Buffer.concat([header, qname, tail]);
}

/** A possibly compressed name (RFC 1035 4.1.4) at `offset`; `end` is where the field ends. Never trusts the packet. */
function readName(packet: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let end = -1;
  for (let jumps = 0; ; ) {
    if (offset >= packet.length) throw new Error('name runs past the packet');
    const length = packet[offset];
    if (length === 0) {
      if (end < 0) end = offset + 1;
      return { name: labels.join('.'), end };
    }
    if ((length & 0xc0) === 0xc0) {
      if (offset + 1 >= packet.length || ++jumps > 64) throw new Error('bad name pointer');
      if (end < 0) end = offset + 2;
      offset = ((length & 0x3f) << 8) | packet[offset + 1];
      continue;
    }
    if (length > 63 || offset + 1 + length > packet.length) throw new Error('bad label');
    labels.push(packet.toString('latin1', offset + 1, offset + 1 + length));
    offset += 1 + length;
  }
}

/** The answer for `name`, or null when the packet is not the answer to our question `id`. */
function parseResponse<K extends RecordType>(packet: Buffer, id: number, name: string, wanted: K): { truncated: boolean; rcode: number; answer: RecordAnswer<RecordOf<K>> } | null {
  if (packet.length < 12 || packet.readUInt16BE(0) !== id || !(packet[2] & 0x80)) return null;
  const flags = packet.readUInt16BE(2);
  const [qd, an, ns] = [packet.readUInt16BE(4), packet.readUInt16BE(6), packet.readUInt16BE(8)];
  let offset = 12;
  for (let i = 0; i < qd; i++) {
    const question = readName(packet, offset);
    if (question.name.toLowerCase() !== name.toLowerCase().replace(/\.$/, '')) return null;
    offset = question.end + 4;
  }
  const records: RecordOf<K>[] = [];
  let ttl = Infinity;
  let negativeTtl = Infinity;
  for (let i = 0; i < an + ns; i++) {
    const owner = readName(packet, offset);
    offset = owner.end;
    if (offset + 10 > packet.length) throw new Error('record runs past the packet');
    const type = packet.readUInt16BE(offset);
    const recordTtl = packet.readUInt32BE(offset + 4);
    const length = packet.readUInt16BE(offset + 8);
    const data = offset + 10;
    offset = data + length;
    if (offset > packet.length) throw new Error('record data runs past the packet');
    if (i < an && type === RECORD_TYPES[wanted].code) {
      records.push(RECORD_TYPES[wanted].read(packet, data, offset) as RecordOf<K>);
      ttl = Math.min(ttl, recordTtl);
    } else if (i >= an && type === TYPE_SOA) {
      // RFC 2308 5: a negative answer lasts min(SOA TTL, SOA MINIMUM).
      const soaEnd = readName(packet, readName(packet, data).end).end;
      if (soaEnd + 20 <= offset) negativeTtl = Math.min(recordTtl, packet.readUInt32BE(soaEnd + 16));
    }
  }
  return { truncated: (flags & 0x0200) !== 0, rcode: flags & 0x000f, answer: { records, ttl: records.length > 0 ? ttl : negativeTtl } };
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

function overUdp(server: Server, query: Buffer, timeoutMs: number, accept: (packet: Buffer) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIP(server.host) === 6 ? 'udp6' : 'udp4');
    const done = (error?: Error) => {
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => done(dnsError('ETIMEOUT', '')), timeoutMs);
    socket.on('error', (error) => done(error));
    socket.on('message', (packet, peer) => {
      // Only the server asked may answer (a spoofed packet is ignored).
      if (peer.port !== server.port) return;
      try {
        if (accept(packet)) done();
      } catch (error) {
        done(error as Error);
      }
    });
    // Connected, so that a port nobody listens on answers at once (ICMP unreachable is ECONNREFUSED), as c-ares does, instead of after the timeout.
    socket.connect(server.port, server.host, () => socket.send(query, (error) => error && done(error)));
  });
}

function overTcp(server: Server, query: Buffer, timeoutMs: number, accept: (packet: Buffer) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: server.host, port: server.port });
    let received = Buffer.alloc(0);
    const done = (error?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => done(dnsError('ETIMEOUT', '')), timeoutMs);
    socket.on('error', (error) => done(error));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
      try {
        if (accept(received.subarray(2, 2 + received.readUInt16BE(0)))) done();
        else done(dnsError('EBADRESP', ''));
      } catch (error) {
        done(error as Error);
      }
    });
    const length = Buffer.alloc(2);
    length.writeUInt16BE(query.length);
    socket.write(Buffer.concat([length, query]));
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
      const query = questionPacket(id, name, RECORD_TYPES[type].code);
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
      if (rcode === 0) return answer;
      if (rcode === RCODE_NXDOMAIN) return { missing: true, ttl: answer.ttl };
      lastError = dnsError(rcode === 2 ? 'ESERVFAIL' : rcode === 5 ? 'EREFUSED' : 'EBADRESP', name);
    }
  }
  throw lastError;
}
