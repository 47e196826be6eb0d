// Small RFC 5322 messages for tests, with CRLF line ends.
import { randomBytes } from 'node:crypto';

export interface MessageFields {
  from?: string;
  to?: string;
  subject?: string;
  body?: string;
  messageId?: string;
  headers?: Record<string, string>;
}

export function buildMessage(fields: MessageFields = {}): Buffer {
  const headers: Record<string, string> = {
    From: fields.from ?? 'Sender <sender@remote.test>',
    To: fields.to ?? 'alice@example.test',
    Subject: fields.subject ?? 'Hello',
    Date: new Date('2026-11-20T10:00:00Z').toUTCString().replace('GMT', '+0000'),
    'Message-ID': fields.messageId ?? `<${randomBytes(8).toString('hex')}@remote.test>`,
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=utf-8',
    ...fields.headers,
  };
  const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n');
  const body = (fields.body ?? 'Hello there.\n').replace(/\r?\n/g, '\r\n');
  return Buffer.from(`${head}\r\n\r\n${body}`);
}
