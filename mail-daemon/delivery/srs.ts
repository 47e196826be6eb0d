// The Sender Rewriting Scheme (Shevek's SRS, as libsrs2 and postsrsd write
// it), so that mail we forward passes SPF at the receiver: the envelope sender
// becomes an address of our forwarding domain that carries the original one,
// a timestamp and a keyed hash, and a bounce to it finds its way back.
//
//   SRS0=HHHH=TT=orig.domain=orig-local@forwarder.domain
//   SRS1=HHHH=first.forwarder==HHHH=TT=orig.domain=orig-local@forwarder.domain
//
// HHHH is the start of an HMAC-SHA1 over the rest under our secret (in
// base64url, as "/" has no place in a local part); TT is the day number in
// base32, modulo 1024. A forwarder receiving an SRS0 address keeps it whole
// and wraps it as SRS1, so the bounce goes back through the first forwarder
// only (who can check its own hash).
// Mail systems may change the case of local parts, so the hash is made over
// lower-case text and compared without case.
import { createHmac, timingSafeEqual } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const DAY_MS = 86_400_000;
const HASH_LENGTH = 4;
/** libsrs2's default: a bounce later than three weeks is refused. */
export const SRS_MAX_AGE_DAYS = 21;
// libsrs2 accepts "=", "+" and "-" after the SRS0/SRS1 tag.
const TAG = /^srs([01])[=+-](.*)$/i;

export interface SrsKeys {
  /** The first signs; all of them are accepted (old ones while rotating). */
  secrets: string[];
}

export type SrsReversal =
  | { kind: 'not-srs' }
  | { kind: 'invalid'; reason: string }
  /** Where the bounce goes: the original sender (SRS0) or the first forwarder's SRS0 address (SRS1). */
  | { kind: 'ok'; address: string };

function hash(secret: string, parts: string[]): string {
  return createHmac('sha1', secret).update(parts.join('').toLowerCase()).digest('base64url').slice(0, HASH_LENGTH);
}

function timestamp(now: Date): string {
  const day = Math.floor(now.getTime() / DAY_MS) % 1024;
  return BASE32[day >> 5] + BASE32[day & 31];
}

/** Days since the stamp was made, or -1 for a stamp that is not one. */
function ageInDays(stamp: string, now: Date): number {
  const upper = stamp.toUpperCase();
  const high = BASE32.indexOf(upper[0] ?? '');
  const low = BASE32.indexOf(upper[1] ?? '');
  if (upper.length !== 2 || high < 0 || low < 0) return -1;
  const today = Math.floor(now.getTime() / DAY_MS) % 1024;
  return (today - ((high << 5) | low) + 1024) % 1024;
}

function splitAddress(address: string): { local: string; domain: string } {
  const at = address.lastIndexOf('@');
  return { local: address.slice(0, at), domain: address.slice(at + 1) };
}

/** The envelope sender for mail `sender` sent on by `forwarderDomain`. */
export function srsForward(keys: SrsKeys, sender: string, forwarderDomain: string, now = new Date()): string {
  const secret = keys.secrets[0];
  const { local, domain } = splitAddress(sender);
  const tagged = TAG.exec(local);
  if (tagged && tagged[1] === '0') {
    // Wrap another forwarder's SRS0 address: SRS1=HHHH=their.domain==<the SRS0 rest>.
    const rest = `=${tagged[2]}`;
    return `SRS1=${hash(secret, [domain, rest])}=${domain}=${rest}@${forwarderDomain}`;
  }
  if (tagged && tagged[1] === '1') {
    // Already SRS1: keep the first forwarder and its rest, sign it ourselves.
    const inner = /^[^=]*=([^=]+)==(.*)$/.exec(tagged[2]);
    if (inner) return `SRS1=${hash(secret, [inner[1], `=${inner[2]}`])}=${inner[1]}==${inner[2]}@${forwarderDomain}`;
  }
  const stamp = timestamp(now);
  return `SRS0=${hash(secret, [stamp, domain, local])}=${stamp}=${domain}=${local}@${forwarderDomain}`;
}

function hashMatches(keys: SrsKeys, given: string, parts: string[]): boolean {
  const wanted = Buffer.from(given.toLowerCase());
  return keys.secrets.some((secret) => {
    const expected = Buffer.from(hash(secret, parts).toLowerCase());
    return expected.length === wanted.length && timingSafeEqual(expected, wanted);
  });
}

/** Where mail to an SRS address of ours goes back to, or why it may not. */
export function srsReverse(keys: SrsKeys, address: string, now = new Date()): SrsReversal {
  const { local } = splitAddress(address);
  const tagged = TAG.exec(local);
  if (!tagged) return { kind: 'not-srs' };
  if (tagged[1] === '0') {
    const parts = /^([^=]+)=([^=]+)=([^=]+)=(.+)$/.exec(tagged[2]);
    if (!parts) return { kind: 'invalid', reason: 'malformed SRS0 address' };
    const [, given, stamp, domain, originalLocal] = parts;
    if (!hashMatches(keys, given, [stamp, domain, originalLocal])) return { kind: 'invalid', reason: 'SRS hash does not match' };
    const age = ageInDays(stamp, now);
    if (age < 0 || age > SRS_MAX_AGE_DAYS) return { kind: 'invalid', reason: 'SRS address has expired' };
    return { kind: 'ok', address: `${originalLocal}@${domain}` };
  }
  const parts = /^([^=]+)=([^=]+)==(.+)$/.exec(tagged[2]);
  if (!parts) return { kind: 'invalid', reason: 'malformed SRS1 address' };
  const [, given, firstForwarder, rest] = parts;
  if (!hashMatches(keys, given, [firstForwarder, `=${rest}`])) return { kind: 'invalid', reason: 'SRS hash does not match' };
  return { kind: 'ok', address: `SRS0=${rest}@${firstForwarder}` };
}
