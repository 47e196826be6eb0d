// CPU time of a server under benchmark, from /proc: the server and every
// process it started, so a figure does not depend on how busy the machine
// is. Dovecot runs a process per connection; its master reaps them, so what
// they used stays counted in the master's cutime and cstime (proc(5)).
import { readFileSync } from 'node:fs';
import { processTree } from './process-memory.ts';

/** USER_HZ: /proc counts CPU time in clock ticks of 1/100 s on Linux. */
const TICKS_PER_SECOND = 100;

/** Fields 14 to 17 of /proc/PID/stat (or of one thread's, /proc/PID/task/TID/stat): utime, stime, cutime, cstime. */
function times(pid: number, thread?: number): number[] {
  const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
  return stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .slice(11, 15)
    .map(Number);
}

/** Seconds of CPU (user and system) used so far by `root`, its live descendants and the ones it reaped. */
export function cpuSeconds(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) {
    try {
      const [utime, stime, cutime, cstime] = times(pid);
      ticks += utime + stime + (pid === root ? cutime + cstime : 0);
    } catch {
      // Gone meanwhile: the master counts it once it reaps it.
    }
  }
  return ticks / TICKS_PER_SECOND;
}

/**
 * Seconds of CPU used so far by one process's main thread (its thread id is
 * its pid) alone: a Node server's JavaScript, apart from its worker threads
 * and V8's garbage collection helpers.
 */
export function mainThreadCpuSeconds(pid: number): number {
  const [utime, stime] = times(pid, pid);
  return (utime + stime) / TICKS_PER_SECOND;
}
