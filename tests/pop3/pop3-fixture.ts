// A daemon with only the POP3 service, accounts on example.test and a way to
// fill a maildrop, for the POP3 test files.
import type { Engine } from '../../prisma/database.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';
import { deliverMessage } from '../../mail-daemon/store/deliver.ts';
import { pop3Service } from '../../mail-daemon/pop3/pop3-service.ts';
import { Pop3Server, type Pop3ServerOptions } from '../../mail-daemon/pop3/pop3-server.ts';
import type { MailStore } from '../../mail-daemon/store/context.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { addTestAccounts } from '../support/accounts.ts';

export interface Pop3Fixture {
  daemon: TestDaemon;
  accounts: Record<string, AccountView>;
  /** Delivers the messages to the account's INBOX in order. */
  deliver(account: AccountView, messages: Buffer[]): Promise<void>;
  /**
   * One more POP3 listener (plain, on a free loopback port) with its own
   * options, over this daemon's store or another; closed when `t` ends.
   */
  extraServer(t: { after(fn: () => Promise<void>): void }, options?: Partial<Pop3ServerOptions> & { store?: MailStore }): Promise<number>;
}

export async function startPop3Fixture(engine: Engine, localParts: string[], env: Record<string, string> = {}): Promise<Pop3Fixture> {
  const daemon = await startTestDaemon(engine, [pop3Service], env);
  const created = await addTestAccounts(daemon.context.store, 'example.test', localParts);
  const accounts = Object.fromEntries(created.map((a) => [a.address.split('@')[0], a]));
  return {
    daemon,
    accounts,
    async deliver(account, messages) {
      for (const raw of messages) await deliverMessage(daemon.context.store, raw, [{ accountId: account.id }]);
    },
    async extraServer(t, options = {}) {
      const { store, tls, config } = daemon.context;
      const server = new Pop3Server({ store, tls, hostname: config.hostname, allowPlaintextLoopback: true, log: () => undefined, ...options });
      t.after(() => server.close());
      return server.listen('127.0.0.1', 0, false);
    },
  };
}
