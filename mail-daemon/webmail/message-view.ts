// Opening one message in the web app: its header fields, the body to show
// (HTML made safe on the server, else the text), the attachment list, a part
// to download, and the raw source. Every read goes through getMessage /
// getMessageContent with the account id, so another user's id is NONEXISTENT.
import { simpleParser, type AddressObject } from 'mailparser';
import type { MailStore } from '../store/context.ts';
import { StoreError } from '../store/errors.ts';
import { getMessage, getMessageContent } from '../store/messages.ts';
import { headerBytes } from '../store/mime-structure.ts';
import { setFlags } from '../store/message-flags.ts';
import { decodedBody, decodedText, leafAt, messageParts, type AttachmentInfo } from './message-parts.ts';
import { sanitizeMessageHtml, textToHtml } from './safe-html.ts';
import { partUrl } from './urls.ts';
import { remoteImagesAllowedFrom } from '../settings/remote-image-senders.ts';

export interface Address {
  name: string;
  address: string;
}

export interface MessageView {
  id: number;
  mailboxId: number;
  uid: number;
  threadId: string;
  subject: string;
  from: Address[];
  to: Address[];
  cc: Address[];
  replyTo: Address[];
  date: string;
  messageId: string;
  inReplyTo: string;
  references: string;
  seen: boolean;
  flagged: boolean;
  answered: boolean;
  draft: boolean;
  /** Safe HTML for a sandboxed iframe (from the HTML part, or the text part escaped). */
  html: string;
  /** The text part, or the HTML's text when there is none. */
  text: string;
  blockedRemote: number;
  /** Remote images are shown: asked for, or the sender is one the user allowed for good. */
  remoteShown: boolean;
  attachments: AttachmentInfo[];
}

export interface OpenOptions {
  /** Show remote images (they are shown anyway for senders the user allowed for good). */
  allowRemote?: boolean;
  /** Mark the message \Seen (reading marks it read); on by default. */
  markSeen?: boolean;
}

export async function openMessage(store: MailStore, accountId: number, messageId: number, options: OpenOptions = {}): Promise<MessageView> {
  const message = await getMessage(store, accountId, messageId);
  const { raw, structure } = await getMessageContent(store, accountId, messageId);
  const parts = messageParts(structure);
  const header = await simpleParser(headerBytes(raw, structure), { skipHtmlToText: true, skipTextToHtml: true });
  const text = parts.text ? decodedText(raw, parts.text.node) : '';
  let html = '';
  let blockedRemote = 0;
  const remoteShown = (options.allowRemote ?? false) || (await remoteImagesAllowedFrom(store, accountId, message.fromAddress));
  if (parts.html) {
    const byCid = new Map(parts.attachments.filter((a) => a.contentId).map((a) => [a.contentId!.toLowerCase(), a.path]));
    const safe = sanitizeMessageHtml(decodedText(raw, parts.html.node), {
      allowRemote: remoteShown,
      cidUrl: (cid) => {
        const path = byCid.get(cid.toLowerCase());
        return path ? partUrl(messageId, path, { inline: true }) : undefined;
      },
    });
    html = safe.html;
    blockedRemote = safe.blockedRemote;
  } else {
    html = textToHtml(text);
  }
  if ((options.markSeen ?? true) && !message.seen) {
    await setFlags(store, accountId, message.mailboxId, [message.uid], 'add', ['\\Seen']);
  }
  return {
    id: message.id,
    mailboxId: message.mailboxId,
    uid: message.uid,
    threadId: message.threadId,
    subject: message.subject,
    from: addresses(header.from),
    to: addresses(header.to),
    cc: addresses(header.cc),
    replyTo: addresses(header.replyTo),
    date: (message.sentDate ?? message.internalDate).toISOString(),
    messageId: message.messageId,
    inReplyTo: message.inReplyTo,
    references: message.references,
    seen: message.seen || (options.markSeen ?? true),
    flagged: message.flagged,
    answered: message.answered,
    draft: message.draft,
    html,
    text: text || (parts.html ? htmlText(decodedText(raw, parts.html.node)) : ''),
    blockedRemote,
    remoteShown,
    attachments: parts.attachments,
  };
}

function addresses(header: AddressObject | AddressObject[] | undefined): Address[] {
  const flatten = (list: AddressObject['value']): Address[] =>
    list.flatMap((a) => (a.group ? flatten(a.group) : a.address ? [{ name: a.name ?? '', address: a.address.toLowerCase() }] : []));
  return [header ?? []].flat().flatMap((h) => flatten(h.value));
}

/** The text of an HTML body, for quoting and the text view when there is no text part. */
export function htmlText(html: string): string {
  return html
    .replace(/<(script|style|head)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|tr|li|h[1-6])>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export interface PartDownload {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** One leaf part by section number, decoded, with the name and type to serve it under. */
export async function getMessagePart(store: MailStore, accountId: number, messageId: number, path: string): Promise<PartDownload> {
  const { raw, structure } = await getMessageContent(store, accountId, messageId);
  const node = leafAt(structure, path);
  if (!node) throw new StoreError('NONEXISTENT', 'no such part');
  const info = messageParts(structure).attachments.find((a) => a.path === path);
  const body = decodedBody(raw, node);
  return {
    filename: info?.filename ?? `part-${path}.${node.contentType === 'text/html' ? 'html' : 'txt'}`,
    contentType: node.contentType,
    content: body,
  };
}

/** The message exactly as stored. */
export async function getRawSource(store: MailStore, accountId: number, messageId: number): Promise<Buffer> {
  return (await getMessageContent(store, accountId, messageId)).raw;
}
