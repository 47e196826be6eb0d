// `npm run daemon`: the mail daemon. Reads the configuration, applies the
// migrations and starts every service whose port is not "off".
//
// SIGINT and SIGTERM are handled from the first line, before the daemon's
// modules load (a second or more on a busy machine): a signal at any moment
// of start-up stops it with exit 0, as it does once it runs.
import { stopOnSignals } from './stop-signals.ts';

const stopping = stopOnSignals((signal) => console.log(`mail-daemon: ${signal}, stopping`));
console.log(`mail-daemon: starting (pid ${process.pid})`);

try {
  const { runDaemon } = await import('./run-daemon.ts');
  process.exit(await runDaemon(stopping));
} catch (error) {
  console.error(`mail-daemon: ${(error as Error)?.stack ?? error}`);
  process.exit(1);
}
