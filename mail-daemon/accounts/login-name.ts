// The one form of what a client types as its login name and where it comes
// from, so that `Bob@SEC.test.`, ` bob@sec.test` and `bob@sec.test` are one
// account for the password check, the rate limit and the log alike.
import { isIPv6 } from 'node:net';
import { parseAddress } from './addresses.ts';
import { ipv6Groups } from '../dns/ip-address.ts';

/**
 * The account a login name stands for: trimmed, lower case, IDNA (A-labels),
 * no final dot. Text that is no address at all is kept (trimmed, lower case)
 * so failures with it are still counted under one key.
 */
export function normalizeLoginName(input: string): string {
  try {
    return parseAddress(input).address;
  } catch {
    return String(input ?? '').trim().toLowerCase().replace(/\.$/, '').slice(0, 320);
  }
}

/**
 * RFC 4616 2: an authorization identity other than the authentication
 * identity asks to act as someone else, which is not offered (no proxy
 * logins). An empty one means "the same".
 */
export function actsAsAnother(authzid: string, authcid: string): boolean {
  return authzid !== '' && normalizeLoginName(authzid) !== normalizeLoginName(authcid);
}

/**
 * The client a failure is counted against: an IPv4 address as it is (also
 * when mapped into IPv6), an IPv6 address by its /64, which one host usually
 * holds whole.
 */
export function clientKey(address: string): string {
  const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (!isIPv6(plain)) return plain;
  return `${ipv6Groups(plain).slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
