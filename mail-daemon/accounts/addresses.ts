// Parsing and checking mail addresses and domain names. Stored forms are
// lower-case; the platform treats local parts case-insensitively, as users
// expect (RFC 5321 2.4 allows it).
import { domainToASCII } from 'node:url';
import { ValidationError } from '../errors/validation-error.ts';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
// Dot-atom local parts (RFC 5322 3.4.1) without the rarely used symbols that
// break shells and URLs; quoted local parts are not offered for hosted accounts.
const LOCAL_PART = /^[a-z0-9!#$&'*+=?^_`{|}~-]+(\.[a-z0-9!#$&'*+=?^_`{|}~-]+)*$/;

/** Local parts that signup never hands out (RFC 2142 role addresses and look-alikes of staff). */
export const RESERVED_LOCAL_PARTS = new Set([
  'postmaster', 'abuse', 'admin', 'administrator', 'hostmaster', 'webmaster', 'root', 'security',
  'noreply', 'no-reply', 'mailer-daemon', 'support', 'info', 'sales', 'billing', 'help', 'staff', 'system',
]);

export function normalizeDomainName(input: string, field = 'domain'): string {
  const typed = String(input ?? '').trim().toLowerCase().replace(/\.$/, '');
  if (typed.length === 0) throw new ValidationError(field, 'Enter a domain name.');
  // RFC 5890: one stored form, the A-labels (bücher.example is xn--bcher-kva.example).
  const name = /^[\x21-\x7e]*$/.test(typed) ? typed : domainToASCII(typed).replace(/\.$/, '');
  if (name.length > 253) throw new ValidationError(field, `"${input}" is too long to be a domain name.`);
  const labels = name.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels[labels.length - 1])) {
    throw new ValidationError(field, `"${input}" is not a valid domain name.`);
  }
  return name;
}

export interface ParsedAddress {
  address: string;
  localPart: string;
  domain: string;
}

export function parseAddress(input: string, field = 'address'): ParsedAddress {
  const text = String(input ?? '').trim().toLowerCase();
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) throw new ValidationError(field, `"${input}" is not a valid mail address.`);
  const localPart = text.slice(0, at);
  if (localPart.length > 64 || !LOCAL_PART.test(localPart)) {
    throw new ValidationError(field, `"${input}" is not a valid mail address.`);
  }
  const domain = normalizeDomainName(text.slice(at + 1), field);
  return { address: `${localPart}@${domain}`, localPart, domain };
}

export function isReservedLocalPart(localPart: string): boolean {
  return RESERVED_LOCAL_PARTS.has(localPart.toLowerCase().split('+')[0]);
}
