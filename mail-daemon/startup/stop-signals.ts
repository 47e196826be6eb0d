// SIGINT (Ctrl-C) and SIGTERM (a service manager) ask a process to stop
// cleanly at any moment, start-up included (issue 14 item 8). Until a
// process handles them, either one ends it at once by the signal: so an entry
// point calls this on its first line, before it imports the modules that take
// a second or more to load on a busy machine, and looks at the returned
// signal between its start-up steps.

/** Handles SIGINT and SIGTERM from now on; the first one calls `onStop` and aborts the returned signal. Later ones are ignored: the stop is under way. */
export function stopOnSignals(onStop: (signal: NodeJS.Signals) => void): AbortSignal {
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (controller.signal.aborted) return;
      onStop(signal);
      controller.abort();
    });
  }
  return controller.signal;
}

/** Resolves once the signal is aborted. */
export function stopRequested(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
