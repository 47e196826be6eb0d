// A daemon with only the POP3 service, accounts on example.test and a way to
// fill a maildrop, for the POP3 test files.
import type { Engine } from '../../prisma/database.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';
import { deliverMessage } from '../../mail-daemon/store/deliver.ts';
import { pop3Service } from '../../mail-daemon/pop3/pop3-service.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { addTestAccounts } from '../support/accounts.ts';

export interface Pop3Fixture {
  daemon: TestDaemon;
  accounts: Record<string, AccountView>;
  /** Delivers the messages to the account's INBOX in order. */
  deliver(account: AccountView, messages: Buffer[]): Promise<void>;
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
  };
}
