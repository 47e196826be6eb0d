// Port 25 with RSPAMD_URL set: the message (with our trace fields) goes to
// Rspamd (spam/rspamd.ts) and its action applies: reject 550, soft reject and
// greylist 451, add header and rewrite subject to Junk, no action through.
// The result field is added to the message either way.
import type { SMTPServerSession } from 'smtp-server';
import { rspamdCheck } from '../spam/rspamd.ts';
import type { SmtpContext } from './smtp-context.ts';
import { smtpError } from './smtp-error.ts';
import { logDelivery } from '../delivery/delivery-log.ts';

export interface RspamdOutcome {
  /** Every copy to Junk. */
  junk: boolean;
  /** X-Rspamd-Result, or null when Rspamd was not asked or could not answer. */
  header: string | null;
}

/**
 * Bigger mail is not sent to Rspamd: it is accepted unchecked by it (the
 * junk filter still looks at its start), as spamc skips mail over 500 KB and
 * Rspamd itself mail over its max_message. So a 50 MB message is not copied
 * into an HTTP request, nor parsed whole a second time by Rspamd.
 */
export const RSPAMD_MAX_MESSAGE = 10 * 1024 * 1024;

export async function checkWithRspamd(context: SmtpContext, message: Buffer, session: SMTPServerSession, envelope: { mailFrom: string; rcptTo: string[]; receivedId: string }): Promise<RspamdOutcome> {
  const url = context.config.spam.rspamdUrl;
  if (!url) return { junk: false, header: null };
  if (message.length > RSPAMD_MAX_MESSAGE) {
    context.log(`smtp: ${envelope.receivedId} of ${message.length} bytes is over ${RSPAMD_MAX_MESSAGE}, accepted without the Rspamd check`);
    return { junk: false, header: null };
  }
  let verdict;
  try {
    verdict = await rspamdCheck(url, message, {
      ip: session.remoteAddress.replace(/^::ffff:/i, ''),
      helo: session.hostNameAppearsAs,
      mailFrom: envelope.mailFrom,
      rcptTo: envelope.rcptTo,
      queueId: envelope.receivedId,
      hostname: context.config.hostname,
    });
  } catch (error) {
    context.log(`smtp: Rspamd check of ${envelope.receivedId} failed, accepted unchecked: ${error}`);
    return { junk: false, header: null };
  }
  const refuse = async (code: number, status: string, text: string) => {
    await logDelivery(context.store, { kind: 'inbound', mailFrom: envelope.mailFrom, rcptTo: envelope.rcptTo.join(', '), status: code >= 500 ? 'rejected' : 'deferred', detail: `Rspamd: ${verdict.action} (score ${verdict.score})`, receivedId: envelope.receivedId });
    return smtpError(code, status, text);
  };
  switch (verdict.action) {
    case 'reject':
      throw await refuse(550, '5.7.1', `Message rejected as spam${verdict.smtpMessage ? `: ${verdict.smtpMessage}` : ''}`);
    case 'soft reject':
    case 'greylist':
      throw await refuse(451, '4.7.1', `Try again later${verdict.smtpMessage ? `: ${verdict.smtpMessage}` : ''}`);
    case 'add header':
    case 'rewrite subject':
      return { junk: true, header: verdict.header };
    case 'no action':
      return { junk: false, header: verdict.header };
  }
}
