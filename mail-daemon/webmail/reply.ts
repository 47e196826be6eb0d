// The drafts the web app starts from: a new message (with the signature), a
// reply, reply-all or forward of a message (quoting it, with In-Reply-To and
// References per RFC 5322 3.6.4; forward carries the attachments), and a
// saved draft reopened.
import type { MailStore } from '../store/context.ts';
import { StoreError } from '../store/errors.ts';
import { getMessage, getMessageContent } from '../store/messages.ts';
import { senderAddresses } from '../accounts/sender-addresses.ts';
import { getSettings } from '../settings/account-settings.ts';
import type { Draft } from './compose.ts';
import { openMessage, type Address, type MessageView } from './message-view.ts';

export type ReplyMode = 'reply' | 'reply-all' | 'forward';

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function signatureHtml(signature: string): string {
  return signature.trim() ? `<p>-- <br>${escapeHtml(signature.trim()).replace(/\r?\n/g, '<br>')}</p>` : '';
}

function formatAddress(a: Address): string {
  return a.name ? `${a.name} <${a.address}>` : a.address;
}

function prefixed(prefix: 'Re' | 'Fwd', subject: string): string {
  return new RegExp(`^${prefix}:`, 'i').test(subject.trim()) ? subject.trim() : `${prefix}: ${subject.trim()}`;
}

export async function newDraft(store: MailStore, accountId: number): Promise<Draft> {
  const { signature } = await getSettings(store, accountId);
  return { to: [], cc: [], bcc: [], subject: '', html: `<p></p>${signatureHtml(signature)}`, attachments: [] };
}

export async function replyDraft(store: MailStore, accountId: number, messageId: number, mode: ReplyMode): Promise<Draft> {
  const original = await openMessage(store, accountId, messageId, { markSeen: false });
  const { signature } = await getSettings(store, accountId);
  const quote = quoteOf(original, mode);
  const body = `<p></p>${signatureHtml(signature)}${quote}`;
  if (mode === 'forward') {
    return {
      to: [],
      cc: [],
      bcc: [],
      subject: prefixed('Fwd', original.subject),
      html: body,
      attachments: original.attachments.filter((a) => !a.inline).map((a) => ({ messageId, path: a.path, filename: a.filename })),
      forwardOfId: messageId,
    };
  }
  const own = await senderAddresses(store, accountId);
  const primary = original.replyTo.length > 0 ? original.replyTo : original.from;
  const to = primary.filter((a) => !own.has(a.address));
  const seen = new Set([...to.map((a) => a.address), ...own]);
  const cc = mode === 'reply-all' ? [...original.to, ...original.cc].filter((a) => !seen.has(a.address) && (seen.add(a.address), true)) : [];
  // Replying to one's own sent message goes back to its recipients.
  const replyTo = to.length > 0 ? to : original.to;
  const references = [...original.references.split(/\s+/).filter(Boolean), original.messageId].filter(Boolean).slice(-20).join(' ');
  return {
    to: replyTo.map(formatAddress),
    cc: cc.map(formatAddress),
    bcc: [],
    subject: prefixed('Re', original.subject),
    html: body,
    attachments: [],
    inReplyTo: original.messageId || undefined,
    references: references || undefined,
    replyToId: messageId,
  };
}

function quoteOf(original: MessageView, mode: ReplyMode): string {
  const from = original.from.map(formatAddress).join(', ');
  const date = new Date(original.date).toUTCString();
  if (mode === 'forward') {
    const rows = [
      ['From', from],
      ['Date', date],
      ['Subject', original.subject],
      ['To', original.to.map(formatAddress).join(', ')],
    ].map(([k, v]) => `${k}: ${escapeHtml(v)}<br>`).join('');
    return `<p>---------- Forwarded message ----------<br>${rows}</p>${original.html}`;
  }
  return `<p>On ${escapeHtml(date)}, ${escapeHtml(from)} wrote:</p><blockquote type="cite" style="margin:0 0 0 .8ex;border-left:1px solid #ccc;padding-left:1ex">${original.html}</blockquote>`;
}

/** A saved draft back as a draft to edit; its attachments stay references to its parts. */
export async function reopenDraft(store: MailStore, accountId: number, messageId: number): Promise<Draft> {
  const stored = await getMessage(store, accountId, messageId);
  if (!stored.draft) throw new StoreError('CANNOT', 'not a draft');
  const view = await openMessage(store, accountId, messageId, { markSeen: false, allowRemote: true });
  // Drafts keep their Bcc field (compose.ts saves with keepBcc); the view leaves it out.
  const { raw, structure } = await getMessageContent(store, accountId, messageId);
  const header = raw.subarray(0, structure.bodyStart).toString('utf8');
  const bcc = /^bcc:(.*(?:\r\n[ \t].*)*)/im.exec(header)?.[1].replace(/\r\n/g, '').trim();
  return {
    to: view.to.map(formatAddress),
    cc: view.cc.map(formatAddress),
    bcc: bcc ? [bcc] : [],
    subject: view.subject,
    html: view.html,
    attachments: view.attachments.filter((a) => !a.inline).map((a) => ({ messageId, path: a.path, filename: a.filename })),
    inReplyTo: view.inReplyTo || undefined,
    references: view.references || undefined,
    draftId: messageId,
  };
}
