// Actions on a selection: POST { ids: number[], action: { kind: ... } }.
import { z } from 'zod';
import { applyMessageAction, MAX_SELECTION } from '@/mail-daemon/webmail/message-actions.ts';
import { mailRoute } from '../_lib/mail-route.ts';

export const dynamic = 'force-dynamic';

const Body = z.object({
  ids: z.array(z.number().int().positive()).min(1).max(MAX_SELECTION),
  action: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('seen'), value: z.boolean() }),
    z.object({ kind: z.literal('flagged'), value: z.boolean() }),
    z.object({ kind: z.literal('move'), mailboxId: z.number().int().positive() }),
    z.object({ kind: z.literal('archive') }),
    z.object({ kind: z.literal('delete') }),
    z.object({ kind: z.literal('spam') }),
    z.object({ kind: z.literal('not-spam') }),
  ]),
});

export const POST = mailRoute(async ({ store, account }, request) => {
  const parsed = Body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return Response.json({ error: 'bad request' }, { status: 400 });
  return Response.json(await applyMessageAction(store, account.id, parsed.data.ids, parsed.data.action));
});
