// DATA: read the message (smtp-server has already undone dot-stuffing and
// counted the size), then hand it to the inbound or submission pipeline. The
// 250 goes out only after the pipeline has committed the message.
import type { Readable } from 'node:stream';
import type { SMTPServerAddress, SMTPServerSession } from 'smtp-server';
import type { SmtpContext } from '../smtp-context.ts';
import type { AccountView } from '../../accounts/accounts.ts';
import { acceptInbound } from '../inbound.ts';
import { submitMessage } from '../submission.ts';
import { receivedHeader } from '../received-header.ts';
import { transactionState } from '../session-state.ts';
import { smtpError } from '../smtp-error.ts';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function onData(context: SmtpContext, mode: 'inbound' | 'submission') {
  return (stream: Readable & { sizeExceeded?: boolean }, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void) => {
    (async () => {
      const raw = await readAll(stream);
      if (stream.sizeExceeded) throw smtpError(552, '5.3.4', `Message too big: the limit is ${context.config.maxMessageSize} bytes`);
      if (mode === 'inbound') return acceptInbound(context, raw, session, transactionState(session.envelope));
      const account = session.user as AccountView;
      const recipients = (session.envelope.rcptTo as SMTPServerAddress[]).map((r) => r.address);
      const result = await submitMessage(context.store, {
        accountId: account.id,
        mailFrom: (session.envelope.mailFrom as SMTPServerAddress).address.toLowerCase(),
        recipients,
        raw,
        hostname: context.config.hostname,
        received: receivedHeader(session, context.config.hostname, null),
      });
      return `Message accepted ${result.messageId}`;
    })().then(
      (message) => callback(null, message),
      (error) => {
        if (error?.responseCode) return callback(error);
        context.log(`smtp: ${mode} delivery failed: ${error?.stack ?? error}`);
        callback(smtpError(451, '4.3.0', 'Temporary failure storing the message, try again later'));
      },
    );
  };
}
