// The one form of what a client types as its login name and where it comes
// from, so that `Bob@SEC.test.`, ` bob@sec.test` and `bob@sec.test` are one
// account for the password check, the rate limit and the log alike.
import { parseAddress } from './addresses.ts';

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
