// Errors that the store raises for the caller to turn into a protocol reply
// (IMAP response codes, SMTP replies, form messages). The code names follow
// the IMAP response codes of RFC 5530 where one fits.
export type StoreErrorCode =
  | 'NONEXISTENT'
  | 'ALREADYEXISTS'
  | 'CANNOT'
  | 'OVERQUOTA'
  | 'INVALID'
  | 'HASCHILDREN'
  | 'NOPERM'
  | 'LIMIT';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
