// The environment the daemon process starts with: glibc's malloc limited to
// two arenas (MALLOC_ARENA_MAX, read by glibc when the process starts, so it
// is set by whoever starts the process: start-all.ts, `npm run daemon` in
// package.json, and the tests' daemon processes). By default glibc gives each
// thread that allocates an arena of its own (up to 8 per core): argon2 in
// libuv's threads, V8's GC and compiler threads. Memory freed into one is
// kept there and not reused by the others, so under the hostile bench
// (tests/bench/hostile.ts) the daemon's peak was 593 MB with the default and
// 451 MB with two arenas. A value already in the environment is kept.
export const MALLOC_ARENA_MAX = '2';

export function daemonEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? MALLOC_ARENA_MAX };
}
