// A command's failure as its tagged reply: NO or BAD with an optional response
// code (RFC 5530). Handlers throw it; the registry writes it. Store errors map
// onto the response codes of the same name.
import { StoreError } from '../store/errors.ts';
import { InvalidFlagError } from '../store/flags.ts';
import { ImapParseError } from './parser/command-parser.ts';

export class ImapError extends Error {
  constructor(
    readonly status: 'NO' | 'BAD',
    readonly code: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'ImapError';
  }
}

export function no(code: string | null, message: string): ImapError {
  return new ImapError('NO', code, message);
}

export function bad(message: string, code: string | null = null): ImapError {
  return new ImapError('BAD', code, message);
}

const STORE_CODES: Record<StoreError['code'], string> = {
  NONEXISTENT: 'NONEXISTENT',
  ALREADYEXISTS: 'ALREADYEXISTS',
  CANNOT: 'CANNOT',
  OVERQUOTA: 'OVERQUOTA',
  // RFC 9051 7.1: HASCHILDREN.
  HASCHILDREN: 'HASCHILDREN',
  NOPERM: 'NOPERM',
  // RFC 9051 7.1: LIMIT.
  LIMIT: 'LIMIT',
  INVALID: 'CANNOT',
};

/** The ImapError for anything a handler threw, or null for a bug (answered NO [SERVERBUG]). */
export function asImapError(error: unknown): ImapError | null {
  if (error instanceof ImapError) return error;
  if (error instanceof ImapParseError) return bad(error.message);
  if (error instanceof InvalidFlagError) return bad(error.message);
  if (error instanceof StoreError) return no(STORE_CODES[error.code], error.message);
  return null;
}
