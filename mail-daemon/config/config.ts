// The daemon's settings, read once from the environment. Every variable is
// documented in .env.example. A bad value is not replaced by its default: all
// problems are collected and reported together in one ConfigError, so an
// operator fixes the whole file in one go instead of one restart per mistake.
import { statSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname as osHostname } from 'node:os';
import { resolve } from 'node:path';
import { databaseUrlFromEnv, engineOf } from '../../prisma/database.ts';
import type { LoginLimits } from '../accounts/login-limiter.ts';
import { DEFAULT_CONNECTION_LIMITS } from '../limits/connection-gate.ts';

/** A listening port, or null when the variable is "off" and the listener does not start. */
export type Port = number | null;

export interface DnsServer {
  host: string;
  port: number;
}

export interface Config {
  /** Absolute path of DATA_DIR. */
  dataDir: string;
  databaseUrl: string;
  /** MAIL_HOSTNAME, lower-cased. */
  hostname: string;
  /** The address every listener binds. */
  listenHost: string;
  /** 0 means any free port. */
  ports: {
    smtp: Port;
    submission: Port;
    submissions: Port;
    pop3: Port;
    pop3s: Port;
    imap: Port;
    imaps: Port;
    web: Port;
  };
  /** Absolute paths of TLS_CERT and TLS_KEY, or null to use a generated self-signed certificate. */
  tls: { certFile: string; keyFile: string } | null;
  /** Empty: the system resolvers. */
  dnsServers: DnsServer[];
  /** Bytes. */
  maxMessageSize: number;
  /** Bytes of big incoming messages held in memory at once (incoming-message-budget.ts). */
  messageMemoryLimit: number;
  /**
   * Limits of each service, SMTP, IMAP and POP3, over all its ports (connection-gate.ts);
   * perService is lowered at start to fit the descriptor limit. preLoginTimeout in milliseconds.
   */
  connections: { perAddress: number; perService: number; preLoginTimeout: number };
  allowPlaintextLoopback: boolean;
  /** TRUST_PROXY: the web app takes the client address from a reverse proxy's X-Forwarded-For. */
  trustProxy: boolean;
  /** SRS_SECRET: the first signs forwarded senders, all are accepted; empty: one kept in DATA_DIR/srs-secret. */
  srsSecrets: string[];
  /** WEB_TLS: the web app serves HTTPS itself, with the mail daemon's certificate. */
  webTls: boolean;
  /** All durations in milliseconds. */
  /** Durations in milliseconds; smtpPort is where remote servers are reached (25; tests use others). */
  queue: { retrySchedule: number[]; warnAfter: number; giveUpAfter: number; smtpPort: number; concurrency: number; destinationConcurrency: number };
  /** LOGIN_*: the one limit on failed logins (accounts/login-limiter.ts). */
  login: LoginLimits;
  /** AUTH_CACHE_TTL: how long a verified mail login is kept (accounts/credential-cache.ts), in milliseconds; 0 is off. */
  authCacheTtlMs: number;
  /** SMTP_UNKNOWN_RCPT_*: on port 25, unknown recipients per session before each answer waits, the wait, and before 421. */
  unknownRecipients: { slowAfter: number; delayMs: number; disconnectAfter: number };
  /** UNVERIFIED_DOMAIN_EXPIRY: how long a user's claim on a domain without its ownership record holds, in milliseconds. */
  unverifiedDomainExpiryMs: number;
  /** Spam defence (mail-daemon/spam/). */
  spam: SpamConfig;
  /** METRICS_PORT (off by default) and METRICS_HOST: the Prometheus endpoint (mail-daemon/metrics/). */
  metrics: { port: Port; host: string };
}

export interface SpamConfig {
  /** DNSBL_ZONES: DNS blocklists asked about each client of port 25 at connect. */
  dnsblZones: string[];
  /** GREYLIST (off by default): first-time (network, sender, recipient) triples wait GREYLIST_DELAY. */
  greylist: { enabled: boolean; delayMs: number };
  /** RSPAMD_URL: every message from port 25 is checked by this Rspamd (its HTTP protocol, /checkv2). */
  rspamdUrl: string | null;
  /** SEND_LIMIT_*: what one account may submit, unless an admin set its own limits. */
  sendLimits: { messagesPerHour: number; recipientsPerDay: number };
}

export class ConfigError extends Error {
  /** One line per bad variable. */
  readonly problems: string[];

  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Thrown by a parser; the reader turns it into `NAME must be <expected>, got "<raw>"`. */
class Expected extends Error {
  constructor(
    readonly expected: string,
    /** The offending part when the variable is a list. */
    readonly item?: string,
  ) {
    super(expected);
  }
}

const PORT_EXPECTED = 'a port number 0-65535 or "off"';

function parsePort(raw: string): Port {
  const value = raw.trim().toLowerCase();
  if (value === 'off') return null;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new Expected(PORT_EXPECTED);
  return Number(value);
}

function parseRemotePort(raw: string): number {
  const value = raw.trim();
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) throw new Expected('a port number 1-65535');
  return Number(value);
}

function parseBoolean(raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new Expected('"true" or "false"');
}

function parsePositiveInteger(raw: string): number {
  const value = raw.trim();
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) === 0) {
    throw new Expected('a whole number of bytes greater than 0');
  }
  return Number(value);
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_EXPECTED = 'a duration greater than 0 with a unit ms, s, m, h or d (e.g. 15m)';

function parseCount(raw: string): number {
  const value = raw.trim();
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) === 0) throw new Expected('a whole number greater than 0');
  return Number(value);
}

function parseDuration(raw: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(raw.trim());
  const ms = match ? Number(match[1]) * DURATION_UNITS[match[2]] : 0;
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new Expected(DURATION_EXPECTED);
  return ms;
}

function parseDurationOrOff(raw: string): number {
  return raw.trim().toLowerCase() === 'off' ? 0 : parseDuration(raw);
}

function parseDurationList(raw: string): number[] {
  return raw.split(',').map((item) => {
    try {
      return parseDuration(item);
    } catch {
      throw new Expected(`a comma-separated list of durations, each ${DURATION_EXPECTED}`, item.trim());
    }
  });
}

// RFC 1123 2.1: labels of letters, digits and hyphens, not starting or ending
// with a hyphen, at most 63 characters each and 253 in all.
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

function parseHostname(raw: string): string {
  const name = raw.trim().toLowerCase();
  const valid = name.length <= 253 && isIP(name) === 0 && name.split('.').every((label) => DNS_LABEL.test(label));
  if (!valid) throw new Expected('a DNS host name such as mail.example.com');
  return name;
}

function parseListenHost(raw: string): string {
  const host = raw.trim();
  if (host !== 'localhost' && isIP(host) === 0) throw new Expected('an IP address (e.g. 0.0.0.0 or ::) or "localhost"');
  return host;
}

const SRS_SECRET_EXPECTED = 'a comma-separated list of secrets of at least 16 characters each (the first signs)';

function parseSrsSecrets(raw: string): string[] {
  return raw.split(',').map((item) => {
    const secret = item.trim();
    if (secret.length < 16) throw new Expected(SRS_SECRET_EXPECTED, secret);
    return secret;
  });
}

function parseDatabaseUrl(raw: string): string {
  try {
    engineOf(raw);
  } catch {
    throw new Expected('a file: URL (SQLite) or a postgres:// or postgresql:// URL');
  }
  return raw;
}

const DNS_SERVER_EXPECTED = 'a comma-separated list of resolvers, each ip, ip:port or [ipv6]:port';

function parseDnsServer(item: string): DnsServer {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(item);
  const ipv4WithPort = /^([^:]+):(\d{1,5})$/.exec(item);
  const [host, port] = bracketed
    ? [bracketed[1], bracketed[2]]
    : ipv4WithPort
      ? [ipv4WithPort[1], ipv4WithPort[2]]
      : [item, undefined];
  const portNumber = port === undefined ? 53 : Number(port);
  // An IPv4 address with a port has exactly one colon; a bare IPv6 address
  // has several and takes the default port.
  const hostOk = bracketed ? isIP(host) === 6 : isIP(host) !== 0;
  if (!hostOk || portNumber < 1 || portNumber > 65535) throw new Expected(DNS_SERVER_EXPECTED, item);
  return { host, port: portNumber };
}

function parseHostnameList(raw: string): string[] {
  return raw.split(',').map((item) => item.trim()).filter(Boolean).map((item) => {
    try {
      return parseHostname(item);
    } catch {
      throw new Expected('a comma-separated list of DNS zone names', item);
    }
  });
}

function parseHttpUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Expected('an http:// or https:// URL such as http://127.0.0.1:11333');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Expected('an http:// or https:// URL such as http://127.0.0.1:11333');
  return url.href.replace(/\/$/, '');
}

function parseDnsServers(raw: string): DnsServer[] {
  if (raw.trim() === '') return [];
  return raw.split(',').map((item) => parseDnsServer(item.trim()));
}

function fileProblem(path: string): string | null {
  try {
    return statSync(path).isFile() ? null : 'not a regular file';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const problems: string[] = [];

  // An unset or empty variable takes its default; the default is trusted
  // except where it comes from the machine (os.hostname()).
  function read<T>(name: string, fallback: T, parse: (raw: string) => T): T {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    try {
      return parse(raw);
    } catch (error) {
      if (!(error instanceof Expected)) throw error;
      const got = error.item === undefined ? `"${raw}"` : `"${error.item}" in "${raw}"`;
      problems.push(`${name} must be ${error.expected}, got ${got}`);
      return fallback;
    }
  }

  const dataDir = resolve(/*turbopackIgnore: true*/ env.DATA_DIR || './data');
  const databaseUrl = read('DATABASE_URL', databaseUrlFromEnv(env), parseDatabaseUrl);

  let hostname = read('MAIL_HOSTNAME', '', parseHostname);
  if (!env.MAIL_HOSTNAME) {
    try {
      hostname = parseHostname(osHostname());
    } catch {
      problems.push(`MAIL_HOSTNAME must be set: the machine's host name "${osHostname()}" is not a valid DNS host name`);
    }
  }

  const listenHost = read('LISTEN_HOST', '0.0.0.0', parseListenHost);

  const ports = {
    smtp: read('SMTP_PORT', 25, parsePort),
    submission: read('SUBMISSION_PORT', 587, parsePort),
    submissions: read('SUBMISSIONS_PORT', 465, parsePort),
    pop3: read('POP3_PORT', 110, parsePort),
    pop3s: read('POP3S_PORT', 995, parsePort),
    imap: read('IMAP_PORT', 143, parsePort),
    imaps: read('IMAPS_PORT', 993, parsePort),
    web: read('WEB_PORT', 3000, parsePort),
  };

  const certFile = env.TLS_CERT ? resolve(env.TLS_CERT) : '';
  const keyFile = env.TLS_KEY ? resolve(env.TLS_KEY) : '';
  const tls: Config['tls'] = certFile && keyFile ? { certFile, keyFile } : null;
  if (!tls && (certFile || keyFile)) {
    const [set, missing] = certFile ? ['TLS_CERT', 'TLS_KEY'] : ['TLS_KEY', 'TLS_CERT'];
    problems.push(`TLS_CERT and TLS_KEY must be set together, got ${set}="${env[set]}" but no ${missing}`);
  }
  for (const name of ['TLS_CERT', 'TLS_KEY'] as const) {
    const value = env[name];
    const problem = value ? fileProblem(resolve(value)) : null;
    if (problem) {
      problems.push(`${name} must be the path of a readable PEM file, got "${value}" (${problem})`);
    }
  }

  const dnsServers = read('DNS_SERVERS', [], parseDnsServers);
  const maxMessageSize = read('MAX_MESSAGE_SIZE', 52_428_800, parsePositiveInteger);
  const messageMemoryLimit = read('MESSAGE_MEMORY_LIMIT', 314_572_800, parsePositiveInteger);
  const connections = {
    perAddress: read('MAX_CONNECTIONS_PER_ADDRESS', DEFAULT_CONNECTION_LIMITS.perAddress, parseCount),
    perService: read('MAX_CONNECTIONS_PER_SERVICE', DEFAULT_CONNECTION_LIMITS.perService, parseCount),
    preLoginTimeout: read('PRE_LOGIN_TIMEOUT', parseDuration('60s'), parseDuration),
  };
  const allowPlaintextLoopback = read('ALLOW_PLAINTEXT_LOOPBACK', false, parseBoolean);
  const trustProxy = read('TRUST_PROXY', false, parseBoolean);
  const srsSecrets = read('SRS_SECRET', [], parseSrsSecrets);
  const webTls = read('WEB_TLS', false, parseBoolean);

  const queueProblemsBefore = problems.length;
  const queue = {
    retrySchedule: read('QUEUE_RETRY_SCHEDULE', parseDurationList('15m,30m,1h,2h,4h'), parseDurationList),
    warnAfter: read('QUEUE_WARN_AFTER', parseDuration('4h'), parseDuration),
    giveUpAfter: read('QUEUE_GIVE_UP_AFTER', parseDuration('5d'), parseDuration),
    smtpPort: read('QUEUE_SMTP_PORT', 25, parseRemotePort),
    // Postfix's default_process_limit (100) and default_destination_concurrency_limit (20).
    concurrency: read('QUEUE_CONCURRENCY', 100, parseCount),
    destinationConcurrency: read('QUEUE_DESTINATION_CONCURRENCY', 20, parseCount),
  };
  // A delay warning due after the message was given up on would never be sent.
  if (problems.length === queueProblemsBefore && queue.warnAfter >= queue.giveUpAfter) {
    problems.push(
      `QUEUE_WARN_AFTER must be shorter than QUEUE_GIVE_UP_AFTER, got "${env.QUEUE_WARN_AFTER || '4h'}" and "${env.QUEUE_GIVE_UP_AFTER || '5d'}"`,
    );
  }

  const login: LoginLimits = {
    windowMs: read('LOGIN_FAILURE_WINDOW', parseDuration('15m'), parseDuration),
    slowAfter: read('LOGIN_SLOW_AFTER', 5, parseCount),
    delayStepMs: read('LOGIN_DELAY_STEP', parseDuration('1s'), parseDuration),
    blockAfter: read('LOGIN_BLOCK_AFTER', 20, parseCount),
    accountThrottleAfter: read('LOGIN_ACCOUNT_THROTTLE_AFTER', 10, parseCount),
  };
  if (login.slowAfter > login.blockAfter) {
    problems.push(`LOGIN_SLOW_AFTER must not be above LOGIN_BLOCK_AFTER, got "${login.slowAfter}" and "${login.blockAfter}"`);
  }
  const authCacheTtlMs = read('AUTH_CACHE_TTL', parseDuration('60s'), parseDurationOrOff);
  const unknownRecipients = {
    slowAfter: read('SMTP_UNKNOWN_RCPT_SLOW_AFTER', 3, parseCount),
    delayMs: read('SMTP_UNKNOWN_RCPT_DELAY', parseDuration('2s'), parseDuration),
    disconnectAfter: read('SMTP_UNKNOWN_RCPT_LIMIT', 10, parseCount),
  };
  const unverifiedDomainExpiryMs = read('UNVERIFIED_DOMAIN_EXPIRY', parseDuration('7d'), parseDuration);

  const spam: SpamConfig = {
    dnsblZones: read('DNSBL_ZONES', [], parseHostnameList),
    greylist: { enabled: read('GREYLIST', false, parseBoolean), delayMs: read('GREYLIST_DELAY', parseDuration('5m'), parseDuration) },
    rspamdUrl: read('RSPAMD_URL', null, parseHttpUrl),
    sendLimits: {
      messagesPerHour: read('SEND_LIMIT_MESSAGES_PER_HOUR', 200, parseCount),
      recipientsPerDay: read('SEND_LIMIT_RECIPIENTS_PER_DAY', 2000, parseCount),
    },
  };

  // Off unless asked for, and on loopback unless told otherwise: the numbers describe the whole platform.
  const metrics = { port: read('METRICS_PORT', null, parsePort), host: read('METRICS_HOST', '127.0.0.1', parseListenHost) };

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    dataDir,
    databaseUrl,
    hostname,
    listenHost,
    ports,
    tls,
    dnsServers,
    maxMessageSize,
    messageMemoryLimit,
    connections,
    allowPlaintextLoopback,
    trustProxy,
    srsSecrets,
    webTls,
    queue,
    login,
    unknownRecipients,
    authCacheTtlMs,
    unverifiedDomainExpiryMs,
    spam,
    metrics,
  };
}
