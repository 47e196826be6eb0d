// A second process on the same database, for cross-process tests:
//   listen <url>            prints "ready", then one JSON line per store change
//   deliver <url> <acct> [n] delivers n (default 1) messages at once to the account's INBOX,
//                            prints "delivered <uid> <uid> ..."
import { openDatabase } from '../../prisma/database.ts';
import { createMailStore, closeMailStore } from '../../mail-daemon/store/context.ts';
import { deliverMessage } from '../../mail-daemon/store/deliver.ts';
import { buildMessage } from './messages.ts';

const [mode, url, accountId, count = '1'] = process.argv.slice(2);
const store = createMailStore(await openDatabase(url));
if (mode === 'listen') {
  await store.bus.subscribe((change) => process.stdout.write(`${JSON.stringify(change)}\n`));
  process.stdout.write('ready\n');
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await closeMailStore(store);
    process.exit(0);
  });
} else if (mode === 'deliver') {
  const copies = await Promise.all(
    Array.from({ length: Number(count) }, () => deliverMessage(store, buildMessage({ subject: 'from another process' }), [{ accountId: Number(accountId) }])),
  );
  process.stdout.write(`delivered ${copies.map(([copy]) => copy.uid).join(' ')}\n`);
  await closeMailStore(store);
} else {
  throw new Error(`unknown mode ${mode}`);
}
