// The loopback address that the pop3 and imap benchmarks' servers (ours and
// Dovecot) listen on and their clients connect to: BENCH_ADDRESS, by default
// 127.0.0.1. Engineers sharing a machine each keep to an address of their own
// (e.g. 127.0.18.1), so that their runs never meet on a port.
import { isIPv4 } from 'node:net';

function benchAddress(value = '127.0.0.1'): string {
  if (!isIPv4(value) || !value.startsWith('127.')) throw new Error(`BENCH_ADDRESS must be an IPv4 loopback address (127.x.y.z), got "${value}"`);
  return value;
}

export const BENCH_ADDRESS = benchAddress(process.env.BENCH_ADDRESS || undefined);
