// The daemon is a set of services (protocol listeners, the outbound queue),
// each started with the same context and stopped together. A protocol
// issue adds its service to the list in main.ts.
import type { Config } from '../config/config.ts';
import type { MailStore } from '../store/context.ts';
import type { TlsCredentials } from './tls.ts';
import type { IncomingMessageBudget } from '../limits/incoming-message-budget.ts';
import type { ConnectionLimits } from '../limits/connection-gate.ts';

/**
 * How long open sessions and outbound deliveries get to finish when the
 * daemon stops (SIGINT, SIGTERM). It stays well under start-all's grace
 * before SIGKILL, so a stop is always clean.
 */
export const SHUTDOWN_GRACE_MS = 2000;

export interface DaemonContext {
  config: Config;
  store: MailStore;
  tls: TlsCredentials;
  log: (message: string) => void;
  /** Shared by SMTP DATA and IMAP APPEND: how many big messages sit in memory at once. */
  incoming: IncomingMessageBudget;
  /** Each service's connection limits, fitted to the descriptor limit at start. */
  connectionLimits: ConnectionLimits;
}

export interface RunningService {
  name: string;
  /** Where it listens, for the start-up log and for tests that use port 0. */
  addresses: { label: string; host: string; port: number }[];
  stop(): Promise<void>;
}

export type Service = (context: DaemonContext) => Promise<RunningService | null>;
