// DATA: read the message (smtp-server has already undone dot-stuffing), then
// hand it to the inbound or submission pipeline. The 250 goes out only after
// the pipeline has committed the message.
import type { Readable } from 'node:stream';
import type { MessageLease } from '../../limits/incoming-message-budget.ts';
import { IncomingBytes } from '../../limits/incoming-bytes.ts';
import type { SMTPServerAddress, SMTPServerSession } from 'smtp-server';
import type { SmtpContext } from '../smtp-context.ts';
import type { AccountView } from '../../accounts/accounts.ts';
import { acceptInbound } from '../inbound.ts';
import { submitMessage } from '../submission.ts';
import { receivedHeader } from '../received-header.ts';
import { transactionState } from '../session-state.ts';
import { smtpError } from '../smtp-error.ts';
import { newReceivedId } from '../../delivery/received-id.ts';
import { deliveriesEnded } from '../../metrics/metrics.ts';

/** Room for the trace fields (Return-Path, Received, Authentication-Results) and Rspamd's, added without copying the message. */
const TRACE_HEADROOM = 64 * 1024;

/**
 * The message, or null when it is bigger than maxBytes: then the rest is read
 * to the end of data and dropped, so the client gets its 552 (RFC 5321
 * 4.5.3.1.10, RFC 1870)
 * and the session goes on, and memory never holds more than maxBytes.
 */
async function readMessage(stream: Readable, maxBytes: number, lease: MessageLease): Promise<Buffer | null> {
  let message: IncomingBytes | null = new IncomingBytes(maxBytes, TRACE_HEADROOM);
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      message = null;
      continue;
    }
    // While a big message waits for room, its connection is not read.
    const room = lease.hold(size);
    if (room) await room;
    message?.push(chunk);
  }
  return message?.bytes() ?? null;
}

export function onData(context: SmtpContext, mode: 'inbound' | 'submission') {
  return (stream: Readable, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void) => {
    const lease = context.incoming.lease();
    (async () => {
      const raw = await readMessage(stream, context.config.maxMessageSize, lease);
      if (!raw) throw smtpError(552, '5.3.4', `Message too big: the limit is ${context.config.maxMessageSize} bytes`);
      // One id per message (a connection may carry several), in the Received: field and the log.
      const receivedId = newReceivedId();
      if (mode === 'inbound') return acceptInbound(context, raw, session, transactionState(session.envelope), receivedId);
      const account = session.user as AccountView;
      const recipients = (session.envelope.rcptTo as SMTPServerAddress[]).map((r) => r.address);
      const result = await submitMessage(context, {
        accountId: account.id,
        mailFrom: (session.envelope.mailFrom as SMTPServerAddress).address.toLowerCase(),
        recipients,
        raw,
        receivedId,
        received: receivedHeader(session, context.config.hostname, receivedId, null),
      });
      return `Message accepted as ${receivedId} ${result.messageId}`;
    })().finally(() => lease.release()).then(
      (message) => callback(null, message),
      (error) => {
        if (error?.responseCode >= 500) deliveriesEnded('rejected', session.envelope.rcptTo.length);
        if (error?.responseCode) return callback(error);
        context.log(`smtp: ${mode} delivery failed: ${error?.stack ?? error}`);
        callback(smtpError(451, '4.3.0', 'Temporary failure storing the message, try again later'));
      },
    );
  };
}
