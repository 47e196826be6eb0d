// IPv6 text forms (RFC 4291 2.2) written out in full, for keys and reverse
// names that need every group: client keys by /64, greylisting networks, and
// DNSBL names (RFC 5782 2.4).
import { isIPv6 } from 'node:net';

/** The eight groups of an IPv6 address, lower case, "::" expanded (no leading zeros added). */
export function ipv6Groups(address: string): string[] {
  const [head, tail = ''] = address.toLowerCase().split('::');
  const groups = (text: string) => (text === '' ? [] : text.split(':'));
  if (!address.includes('::')) return groups(head);
  return [...groups(head), ...Array(Math.max(0, 8 - groups(head).length - groups(tail).length)).fill('0'), ...groups(tail)];
}

/** IPv4 as it is, also when mapped into IPv6 (::ffff:192.0.2.7, as a dual-stack listener gives it). */
function unmapped(address: string): string {
  return address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
}

/** An IPv6 address's groups without leading zeros, so every text form of it is one string. */
function shortGroups(address: string): string[] {
  return ipv6Groups(address).map((g) => g.replace(/^0+(?=.)/, ''));
}

/**
 * The client a limit counts: an IPv4 address as it is (also when mapped into
 * IPv6), an IPv6 address by its /64, the smallest block one subscriber is
 * given (RFC 6177) and which one host usually holds whole.
 */
export function clientKey(address: string): string {
  const plain = unmapped(address);
  return isIPv6(plain) ? `${shortGroups(plain).slice(0, 4).join(':')}::/64` : plain;
}

/** The whole address in one form, whichever form it came in (a socket's, or smtp-server's written-out IPv6). */
export function exactAddress(address: string): string {
  const plain = unmapped(address);
  return isIPv6(plain) ? shortGroups(plain).join(':') : plain;
}
