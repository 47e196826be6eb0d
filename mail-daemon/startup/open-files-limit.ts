// The process's descriptor limit (RLIMIT_NOFILE). Every connection costs one
// descriptor, so the per-service connection caps are set well below it. At
// start the soft limit is raised to the hard one: Node does so itself when it
// can, and where it could not, prlimit(1) from util-linux sets it for our own
// pid (Node has no setrlimit, and a native module would need a compiler).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface OpenFilesLimit {
  /** The limit that applies, or null where it cannot be read (not Linux). */
  soft: number | null;
  hard: number | null;
  /** What was done, for the start-up log. */
  note: string;
}

function readLimit(): { soft: number; hard: number } | null {
  try {
    const line = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!line) return null;
    const value = (raw: string) => (raw === 'unlimited' ? Infinity : Number(raw));
    return { soft: value(line[1]), hard: value(line[2]) };
  } catch {
    return null;
  }
}

/** The kernel's ceiling for any descriptor limit (an unlimited hard limit still stops there). */
function kernelCeiling(): number {
  try {
    return Number(readFileSync('/proc/sys/fs/nr_open', 'utf8').trim()) || 1_048_576;
  } catch {
    return 1_048_576;
  }
}

export function raiseOpenFilesLimit(): OpenFilesLimit {
  const before = readLimit();
  if (!before) return { soft: null, hard: null, note: 'unknown (no /proc/self/limits)' };
  const target = Math.min(before.hard, kernelCeiling());
  if (before.soft >= target) return { ...before, note: `${before.soft} (the hard limit)` };
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${target}:`], { stdio: 'ignore', timeout: 5000 });
  } catch (error) {
    return { ...before, note: `${before.soft}, below the hard limit ${before.hard}: prlimit failed (${(error as Error).message.split('\n')[0]})` };
  }
  const after = readLimit() ?? before;
  return { ...after, note: `${after.soft}, raised from ${before.soft} (hard limit ${after.hard})` };
}
