// Mailbox names on the wire: modified UTF-7 (RFC 3501 5.1.3) in IMAP4rev1,
// UTF-8 once the client enabled UTF8=ACCEPT (RFC 6855 3). The store keeps
// names in Unicode.
import { ImapParseError } from './command-parser.ts';

function base64Utf16(text: string): string {
  const bytes = Buffer.alloc(text.length * 2);
  for (let i = 0; i < text.length; i++) bytes.writeUInt16BE(text.charCodeAt(i), i * 2);
  return bytes.toString('base64').replace(/=+$/, '').replace(/\//g, ',');
}

export function encodeModifiedUtf7(name: string): string {
  let out = '';
  let pending = '';
  const flush = () => {
    if (pending) out += `&${base64Utf16(pending)}-`;
    pending = '';
  };
  for (const char of name) {
    const code = char.charCodeAt(0);
    if (char.length === 1 && code >= 0x20 && code <= 0x7e) {
      flush();
      out += char === '&' ? '&-' : char;
    } else {
      pending += char;
    }
  }
  flush();
  return out;
}

export function decodeModifiedUtf7(name: string): string {
  return name.replace(/&([^-]*)-/g, (_, encoded: string) => {
    if (encoded === '') return '&';
    if (!/^[A-Za-z0-9+,]+$/.test(encoded)) throw new ImapParseError('invalid modified UTF-7 in a mailbox name');
    const bytes = Buffer.from(encoded.replace(/,/g, '/'), 'base64');
    if (bytes.length % 2 !== 0) throw new ImapParseError('invalid modified UTF-7 in a mailbox name');
    let text = '';
    for (let i = 0; i < bytes.length; i += 2) text += String.fromCharCode(bytes.readUInt16BE(i));
    return text;
  });
}

/** A mailbox name as the client sent it, in the store's form. */
export function mailboxFromWire(bytes: Buffer, utf8Enabled: boolean): string {
  const text = bytes.toString('utf8');
  if (utf8Enabled) return text;
  // 8-bit names are not modified UTF-7 but clients send them anyway; take them as UTF-8 (as Dovecot does).
  return /[^\x00-\x7f]/.test(text) ? text : decodeModifiedUtf7(text);
}

/**
 * The same, but a name that is not valid modified UTF-7 is taken as written
 * (as Dovecot does): it is still a well-formed astring or pattern, which names
 * no mailbox made over IMAP, so the command answers NO or lists nothing.
 */
export function looseMailboxFromWire(bytes: Buffer, utf8Enabled: boolean): string {
  try {
    return mailboxFromWire(bytes, utf8Enabled);
  } catch (error) {
    if (!(error instanceof ImapParseError)) throw error;
    return bytes.toString('utf8');
  }
}

export function mailboxToWire(name: string, utf8Enabled: boolean): string {
  return utf8Enabled ? name : encodeModifiedUtf7(name);
}
