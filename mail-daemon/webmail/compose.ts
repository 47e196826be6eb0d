// Writing mail in the web app: a draft (addresses, subject, HTML body,
// attachments) becomes a MIME message with nodemailer's MailComposer
// (multipart/alternative with a text part made from the HTML). Saving puts it
// in Drafts (replacing the previous save); sending goes through
// submitMessage, the same pipeline as port 587 (the From: must be the
// account's, DKIM, local delivery and the queue), then a copy goes to Sent,
// the original is marked answered or forwarded, and the draft goes away. A
// send that fails leaves the draft where it is.
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import type { MailStore } from '../store/context.ts';
import { deliverMessage } from '../store/deliver.ts';
import { StoreError } from '../store/errors.ts';
import { roomFor } from '../store/quota.ts';
import { expungeMessages } from '../store/expunge.ts';
import { findSpecialUseMailbox } from '../store/mailboxes.ts';
import { setFlags } from '../store/message-flags.ts';
import { getMessage } from '../store/messages.ts';
import { submitMessage } from '../smtp/submission.ts';
import type { MailFlow } from '../delivery/deliver-mail.ts';
import { newReceivedId } from '../delivery/received-id.ts';
import { prependHeaders } from '../smtp/message-headers.ts';
import { senderAddresses } from '../accounts/sender-addresses.ts';
import { getMessagePart, htmlText } from './message-view.ts';
import { sanitizeMessageHtml } from './safe-html.ts';

export type DraftAttachment =
  | { filename: string; contentType: string; content: Buffer }
  /** A part of a stored message of the account (forwarded attachments, attachments of a reopened draft). */
  | { messageId: number; path: string; /** For display; the part's own name is used. */ filename?: string };

export interface Draft {
  /** An address the account owns; its own address when left out. */
  from?: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  html: string;
  attachments: DraftAttachment[];
  inReplyTo?: string;
  references?: string;
  /** The message this answers, marked \Answered once sent. */
  replyToId?: number;
  /** The message this forwards, marked $Forwarded once sent. */
  forwardOfId?: number;
  /** The saved draft this replaces. */
  draftId?: number;
}

/** 25 MB of attachments: with base64 that is about the 50 MB message limit of the server's default. */
export const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;
const MAX_RECIPIENTS = 100;

export class ComposeError extends Error {
  constructor(
    message: string,
    readonly field?: 'to' | 'cc' | 'bcc' | 'from' | 'attachments',
  ) {
    super(message);
    this.name = 'ComposeError';
  }
}

const ADDRESS = /^[^\s@<>()",;:\\[\]]+@[^\s@<>()",;:\\[\]]+\.[^\s@<>()",;:\\[\]]+$/;

/** The plain addresses of a field ("Ann <ann@x.test>, bob@y.test"), each checked. */
export function parseAddresses(values: string[], field: 'to' | 'cc' | 'bcc'): { name: string; address: string }[] {
  const parsed = values.flatMap((v) => addressparser(v, { flatten: true }) as { name: string; address: string }[]);
  for (const a of parsed) {
    if (!ADDRESS.test(a.address ?? '')) throw new ComposeError(`"${a.address || a.name}" is not an email address`, field);
  }
  return parsed.map((a) => ({ name: a.name ?? '', address: a.address.toLowerCase() }));
}

interface Built {
  raw: Buffer;
  from: string;
  recipients: string[];
  bcc: string[];
}

async function buildMessage(store: MailStore, accountId: number, draft: Draft, options: { keepBcc: boolean }): Promise<Built> {
  const account = await store.database.prisma.account.findUniqueOrThrow({ where: { id: accountId }, select: { address: true, displayName: true } });
  const from = (draft.from ?? account.address).trim().toLowerCase();
  if (!(await senderAddresses(store, accountId)).has(from)) throw new ComposeError(`You cannot send as ${from}`, 'from');
  const to = parseAddresses(draft.to, 'to');
  const cc = parseAddresses(draft.cc, 'cc');
  const bcc = parseAddresses(draft.bcc, 'bcc');
  const recipients = [...new Set([...to, ...cc, ...bcc].map((a) => a.address))];
  if (recipients.length > MAX_RECIPIENTS) throw new ComposeError(`At most ${MAX_RECIPIENTS} recipients`, 'to');
  const attachments = await resolveAttachments(store, accountId, draft.attachments);
  const html = sanitizeMessageHtml(draft.html, { allowRemote: true, cidUrl: () => undefined }).html;
  const composer = new MailComposer({
    from: { name: account.displayName, address: from },
    to,
    cc,
    bcc,
    subject: draft.subject,
    text: htmlText(html),
    html: html ? `<!doctype html><html><body>${html}</body></html>` : undefined,
    attachments,
    inReplyTo: draft.inReplyTo || undefined,
    references: draft.references || undefined,
  });
  const node = composer.compile();
  node.keepBcc = options.keepBcc;
  const raw = await node.build();
  return { raw, from, recipients, bcc: bcc.map((a) => a.address) };
}

async function resolveAttachments(store: MailStore, accountId: number, list: DraftAttachment[]) {
  const resolved: { filename: string; contentType: string; content: Buffer }[] = [];
  let total = 0;
  for (const a of list) {
    const file = 'content' in a ? a : await getMessagePart(store, accountId, a.messageId, a.path);
    total += file.content.length;
    if (total > MAX_ATTACHMENT_BYTES) throw new ComposeError(`Attachments are limited to ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB in all`, 'attachments');
    resolved.push({ filename: file.filename, contentType: file.contentType, content: file.content });
  }
  return resolved;
}

async function specialId(store: MailStore, accountId: number, specialUse: string): Promise<number> {
  const mailbox = await findSpecialUseMailbox(store.database.prisma, accountId, specialUse);
  if (!mailbox) throw new StoreError('NONEXISTENT', `the account has no ${specialUse.slice(1)} folder`);
  return mailbox.id;
}

/** Removes a saved draft of the account (only from Drafts). */
async function discardDraft(store: MailStore, accountId: number, draftId: number | undefined, draftsId: number): Promise<void> {
  if (draftId === undefined) return;
  const old = await getMessage(store, accountId, draftId).catch(() => null);
  if (old && old.mailboxId === draftsId) await expungeMessages(store, accountId, draftsId, { onlyDeleted: false, uids: [old.uid] });
}

/** Saves the draft to Drafts, replacing the earlier save; returns the new draft's id. */
export async function saveDraft(store: MailStore, accountId: number, draft: Draft): Promise<{ draftId: number }> {
  const { raw } = await buildMessage(store, accountId, draft, { keepBcc: true });
  const draftsId = await specialId(store, accountId, '\\Drafts');
  const [copy] = await deliverMessage(store, raw, [{ accountId, mailboxId: draftsId, flags: ['\\Draft', '\\Seen'] }], { enforceQuota: true }).catch((error) => {
    if (error instanceof StoreError && error.code === 'OVERQUOTA') throw new ComposeError('Your mailbox is full, so the draft was not saved: delete some mail first.');
    throw error;
  });
  // Attachments carried from the old draft were read above, before it goes.
  await discardDraft(store, accountId, draft.draftId, draftsId);
  return { draftId: copy.messageId };
}

export interface SendResult {
  messageId: string;
  sentId: number;
  queued: boolean;
}

export async function sendDraft(flow: MailFlow, accountId: number, draft: Draft): Promise<SendResult> {
  const { store } = flow;
  const built = await buildMessage(store, accountId, draft, { keepBcc: false });
  if (built.recipients.length === 0) throw new ComposeError('Add at least one recipient', 'to');
  // The copy in Sent must fit (the quota is hard): refuse before anything is sent.
  if ((await roomFor(store, accountId, built.raw.length)) !== 'fits') {
    throw new ComposeError('Your mailbox is full, so the copy in Sent would not fit: delete some mail first, then send again.');
  }
  let result;
  try {
    result = await submitMessage(flow, { accountId, mailFrom: built.from, recipients: built.recipients, raw: built.raw, receivedId: newReceivedId() });
  } catch (error) {
    // An SMTP-style refusal ("5.1.1 No such user here: x") becomes words for the form.
    if (error instanceof Error && 'responseCode' in error) throw new ComposeError(error.message.replace(/^\d\.\d\.\d+\s*/, ''), 'to');
    throw error;
  }
  const sentId = await specialId(store, accountId, '\\Sent');
  // The copy in Sent remembers the Bcc recipients, which the message sent leaves out (RFC 5322 3.6.3).
  const sentCopy = built.bcc.length > 0 ? prependHeaders(result.message, [`Bcc: ${built.bcc.join(', ')}`]) : result.message;
  const [copy] = await deliverMessage(store, sentCopy, [{ accountId, mailboxId: sentId, flags: ['\\Seen'] }]);
  for (const [id, flag] of [[draft.replyToId, '\\Answered'], [draft.forwardOfId, '$Forwarded']] as const) {
    if (id === undefined) continue;
    const original = await getMessage(store, accountId, id).catch(() => null);
    if (original) await setFlags(store, accountId, original.mailboxId, [original.uid], 'add', [flag]);
  }
  await discardDraft(store, accountId, draft.draftId, await specialId(store, accountId, '\\Drafts'));
  return { messageId: result.messageId, sentId: copy.messageId, queued: result.queueId !== null };
}
