// Memory per idle connection: opens `count` connections (logged in, INBOX
// selected, in IDLE) and returns the growth of the server's processes
// (proportional set size, so shared libraries count once) per connection.
import { processTree, pssKb } from '../../support/process-memory.ts';
import { BenchClient } from './bench-client.ts';

export interface IdleFigures {
  perConnectionKb: number;
  connections: number;
  openSeconds: number;
}

export async function measureIdle(port: number, user: string, password: string, serverPid: number, count: number): Promise<IdleFigures> {
  const settle = () => new Promise((resolve) => setTimeout(resolve, 2000));
  await settle();
  const before = pssKb(processTree(serverPid));
  const clients: BenchClient[] = [];
  const started = Date.now();
  try {
    for (let i = 0; i < count; i += 50) {
      clients.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(50, count - i) }, async () => {
            const client = await BenchClient.open(port);
            await client.command(`LOGIN ${user} "${password}"`);
            await client.command('SELECT INBOX');
            await client.idle();
            return client;
          }),
        )),
      );
    }
    const openSeconds = (Date.now() - started) / 1000;
    await settle();
    const after = pssKb(processTree(serverPid));
    return { perConnectionKb: (after - before) / clients.length, connections: clients.length, openSeconds };
  } finally {
    for (const client of clients) client.close();
  }
}
