// A tiny authoritative DNS server for tests: answers MX, A, AAAA and TXT
// queries from a JS table over UDP and TCP (RFC 1035 4.2) on one loopback
// address and port, so a daemon under test resolves through DNS_SERVERS.
// Names missing from the table get NXDOMAIN; a name without the asked type
// gets an empty NOERROR answer (NODATA); `servfail: true` makes a name fail.
// With `negativeTtl`, negative answers carry an SOA in their authority
// section that says how long they may be kept (RFC 2308 3, 5).
import dgram from 'node:dgram';
import net from 'node:net';
import { once } from 'node:events';
import type { DnsServer } from '../../mail-daemon/config/config.ts';

export interface DnsRecords {
  MX?: { priority: number; exchange: string }[];
  A?: string[];
  AAAA?: string[];
  /** A string is one TXT record; longer than 255 bytes it is split into strings. */
  TXT?: string[];
  servfail?: boolean;
  /** Seconds in the TTL of every answer for the name (60). */
  ttl?: number;
}

export type DnsZone = Record<string, DnsRecords>;

export interface TestDnsServer {
  host: string;
  port: number;
  /** For DNS_SERVERS. */
  address: string;
  server: DnsServer;
  zone: DnsZone;
  /** Every question asked, as "name TYPE", in order. */
  queries: string[];
  close(): Promise<void>;
}

const TYPES: Record<number, keyof DnsRecords> = { 1: 'A', 15: 'MX', 16: 'TXT', 28: 'AAAA' };
const TYPE_SOA = 6;
const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4 };
const UDP_LIMIT = 512;

function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l.length > 0);
  return Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])), Buffer.from([0])]);
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail = ''] = address.includes('::') ? address.split('::') : [address, ''];
  const parts = (s: string) => (s === '' ? [] : s.split(':'));
  const groups = [...parts(head), ...Array(8 - parts(head).length - parts(tail).length).fill('0'), ...parts(tail)];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function rdata(type: keyof DnsRecords, value: unknown): Buffer {
  switch (type) {
    case 'A':
      return Buffer.from(String(value).split('.').map(Number));
    case 'AAAA':
      return ipv6Bytes(String(value));
    case 'MX': {
      const mx = value as { priority: number; exchange: string };
      const preference = Buffer.alloc(2);
      preference.writeUInt16BE(mx.priority);
      return Buffer.concat([preference, encodeName(mx.exchange)]);
    }
    case 'TXT': {
      const bytes = Buffer.from(String(value), 'utf8');
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length || i === 0; i += 255) {
        const chunk = bytes.subarray(i, i + 255);
        chunks.push(Buffer.from([chunk.length]), chunk);
      }
      return Buffer.concat(chunks);
    }
    default:
      throw new Error(`no rdata for ${type}`);
  }
}

/** The answer to one query, or null for a packet too broken to answer. */
/** An SOA whose TTL and MINIMUM are `ttl`, owned by the question's name (RFC 1035 3.3.13). */
function soaRecord(ttl: number): Buffer {
  const rr = Buffer.alloc(10);
  rr.writeUInt16BE(0xc00c, 0);
  rr.writeUInt16BE(TYPE_SOA, 2);
  rr.writeUInt16BE(1, 4);
  rr.writeUInt32BE(ttl, 6);
  const numbers = Buffer.alloc(20);
  [1, 3600, 600, 86400, ttl].forEach((n, i) => numbers.writeUInt32BE(n, i * 4));
  const data = Buffer.concat([encodeName('ns.test'), encodeName('hostmaster.test'), numbers]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(data.length);
  return Buffer.concat([rr, length, data]);
}

function answer(query: Buffer, zone: DnsZone, queries: string[], negativeTtl?: number): Buffer | null {
  if (query.length < 12) return null;
  const id = query.readUInt16BE(0);
  const flags = query.readUInt16BE(2);
  if (flags & 0x8000) return null; // a response, not a query
  const qdcount = query.readUInt16BE(4);
  let offset = 12;
  const labels: string[] = [];
  while (offset < query.length && query[offset] !== 0) {
    const length = query[offset];
    if (length > 63) return null; // no compression in questions
    labels.push(query.subarray(offset + 1, offset + 1 + length).toString('ascii'));
    offset += 1 + length;
  }
  offset += 1;
  if (qdcount !== 1 || offset + 4 > query.length) return null;
  const qtype = query.readUInt16BE(offset);
  const question = query.subarray(12, offset + 4);
  const name = labels.join('.').toLowerCase();
  const type = TYPES[qtype];
  queries.push(`${name} ${type ?? qtype}`);

  const records = zone[name];
  let rcode = RCODE.NOERROR;
  const answers: Buffer[] = [];
  if (!records) rcode = RCODE.NXDOMAIN;
  else if (records.servfail) rcode = RCODE.SERVFAIL;
  else if (type && type !== 'servfail') {
    for (const value of (records[type] as unknown[] | undefined) ?? []) {
      const data = rdata(type, value);
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0); // RFC 1035 4.1.4: pointer to the question's name
      rr.writeUInt16BE(qtype, 2);
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(records.ttl ?? 60, 6);
      rr.writeUInt16BE(data.length, 10);
      answers.push(rr, data);
    }
  }
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  // QR, the query's opcode, AA, the query's RD; RA off: not a recursive server.
  header.writeUInt16BE(0x8000 | (flags & 0x7800) | 0x0400 | (flags & 0x0100) | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length / 2, 6);
  const authority = negativeTtl !== undefined && answers.length === 0 && rcode !== RCODE.SERVFAIL ? [soaRecord(negativeTtl)] : [];
  header.writeUInt16BE(authority.length, 8);
  return Buffer.concat([header, question, ...answers, ...authority]);
}

/** RFC 1035 4.2.1: a UDP answer over 512 bytes is cut and flagged TC, and the client asks again over TCP. */
function truncated(response: Buffer, questionEnd: number): Buffer {
  const cut = Buffer.from(response.subarray(0, questionEnd));
  cut.writeUInt16BE(cut.readUInt16BE(2) | 0x0200, 2);
  cut.writeUInt16BE(0, 6);
  return cut;
}

export async function startTestDnsServer(zone: DnsZone, host = '127.0.0.1', options: { negativeTtl?: number } = {}): Promise<TestDnsServer> {
  const queries: string[] = [];
  // Lower-case keys so lookups are case-insensitive, as DNS is.
  const table: DnsZone = new Proxy(zone, {
    get: (target, key) => (typeof key === 'string' ? target[key.toLowerCase().replace(/\.$/, '')] : undefined),
  });

  for (let tries = 0; ; tries++) {
    const udp = dgram.createSocket('udp4');
    udp.bind(0, host);
    await once(udp, 'listening');
    const port = udp.address().port;
    const sockets = new Set<net.Socket>();
    const tcp = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      let pending = Buffer.alloc(0);
      socket.on('error', () => undefined);
      socket.on('data', (chunk) => {
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
          const query = pending.subarray(2, 2 + pending.readUInt16BE(0));
          pending = pending.subarray(2 + query.length);
          const response = answer(query, table, queries, options.negativeTtl);
          if (!response) return void socket.destroy();
          const length = Buffer.alloc(2);
          length.writeUInt16BE(response.length);
          socket.write(Buffer.concat([length, response]));
        }
      });
    });
    const tcpError = new Promise<Error>((resolve) => tcp.once('error', resolve));
    tcp.listen(port, host);
    const outcome = await Promise.race([once(tcp, 'listening').then(() => null), tcpError]);
    if (outcome) {
      // The UDP port is taken over TCP by someone else: pick another.
      udp.close();
      if (tries > 20) throw outcome;
      continue;
    }
    udp.on('message', (query, peer) => {
      const response = answer(query, table, queries, options.negativeTtl);
      if (!response) return;
      const questionEnd = 12 + query.subarray(12).indexOf(0) + 5;
      udp.send(response.length > UDP_LIMIT ? truncated(response, questionEnd) : response, peer.port, peer.address);
    });
    return {
      host,
      port,
      address: `${host}:${port}`,
      server: { host, port },
      zone,
      queries,
      async close() {
        await new Promise<void>((resolve) => udp.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => tcp.close(() => resolve()));
      },
    };
  }
}
