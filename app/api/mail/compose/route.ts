// Saving (intent=save) or sending (intent=send) a draft: multipart form data
// with the draft as JSON in "draft" and new attachments as files. A refused
// send answers 400 with the reason and the field; the saved draft stays.
import { z } from 'zod';
import { loadConfig } from '@/mail-daemon/config/config.ts';
import { MAX_ATTACHMENT_BYTES, saveDraft, sendDraft, type Draft, type DraftAttachment } from '@/mail-daemon/webmail/compose.ts';
import { newDraft } from '@/mail-daemon/webmail/reply.ts';
import { mailRoute } from '../_lib/mail-route.ts';

export const dynamic = 'force-dynamic';

const id = z.number().int().positive();
const DraftJson = z.object({
  from: z.string().max(320).optional(),
  to: z.array(z.string().max(2000)).max(100),
  cc: z.array(z.string().max(2000)).max(100),
  bcc: z.array(z.string().max(2000)).max(100),
  subject: z.string().max(998),
  html: z.string().max(5_000_000),
  attachments: z.array(z.object({ messageId: id, path: z.string().max(200) })).max(100),
  inReplyTo: z.string().max(2000).optional(),
  references: z.string().max(20_000).optional(),
  replyToId: id.optional(),
  forwardOfId: id.optional(),
  draftId: id.optional(),
});

export const POST = mailRoute(async ({ store, account }, request) => {
  const form = await request.formData();
  const parsed = DraftJson.safeParse(JSON.parse(String(form.get('draft') ?? 'null')));
  if (!parsed.success) return Response.json({ error: 'The draft is not valid.' }, { status: 400 });
  const uploads: DraftAttachment[] = [];
  let total = 0;
  for (const file of form.getAll('file')) {
    if (typeof file === 'string') continue;
    total += file.size;
    if (total > MAX_ATTACHMENT_BYTES) return Response.json({ error: 'Attachments are too large.', field: 'attachments' }, { status: 413 });
    uploads.push({ filename: file.name, contentType: file.type || 'application/octet-stream', content: Buffer.from(await file.arrayBuffer()) });
  }
  const draft: Draft = { ...parsed.data, attachments: [...parsed.data.attachments, ...uploads] };
  if (form.get('intent') === 'send') {
    const sent = await sendDraft({ store, config: loadConfig(), log: console.error }, account.id, draft);
    return Response.json({ sent: true, sentId: sent.sentId, queued: sent.queued });
  }
  return Response.json(await saveDraft(store, account.id, draft));
});

/** A new, empty draft with the account's signature. */
export const GET = mailRoute(async ({ store, account }) => Response.json(await newDraft(store, account.id)));
