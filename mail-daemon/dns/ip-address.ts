// IPv6 text forms (RFC 4291 2.2) written out in full, for keys and reverse
// names that need every group: client keys by /64, greylisting networks, and
// DNSBL names (RFC 5782 2.4).

/** The eight groups of an IPv6 address, lower case, "::" expanded (no leading zeros added). */
export function ipv6Groups(address: string): string[] {
  const [head, tail = ''] = address.toLowerCase().split('::');
  const groups = (text: string) => (text === '' ? [] : text.split(':'));
  if (!address.includes('::')) return groups(head);
  return [...groups(head), ...Array(Math.max(0, 8 - groups(head).length - groups(tail).length)).fill('0'), ...groups(tail)];
}
