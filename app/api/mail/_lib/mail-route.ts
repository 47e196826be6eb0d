// The one wrapper of the webmail's route handlers: the signed-in account comes
// from the auth helper (app/_lib/session.ts) and its id goes to every store
// function, which checks ownership. Store and compose refusals become JSON
// answers: NONEXISTENT (another user's id as much as a missing one) is 404.
import { requireSignedIn, withAuth, type SignedIn } from '@/app/_lib/session.ts';
import { StoreError } from '@/mail-daemon/store/errors.ts';
import { ComposeError } from '@/mail-daemon/webmail/compose.ts';
import { ValidationError } from '@/mail-daemon/errors/validation-error.ts';

type Context<P> = { params: Promise<P> };

const STATUS: Record<StoreError['code'], number> = {
  NONEXISTENT: 404,
  ALREADYEXISTS: 409,
  CANNOT: 400,
  OVERQUOTA: 507,
  INVALID: 400,
  HASCHILDREN: 409,
  NOPERM: 403,
  LIMIT: 400,
};

export function mailRoute<P extends Record<string, string> = Record<string, string>>(
  handler: (signedIn: SignedIn, request: Request, params: P) => Promise<Response>,
) {
  return withAuth(async (request: Request, context: Context<P>) => {
    if (!sameOrigin(request)) return Response.json({ error: 'cross-site request refused' }, { status: 403 });
    const signedIn = await requireSignedIn();
    try {
      return await handler(signedIn, request, await context.params);
    } catch (error) {
      if (error instanceof StoreError) return Response.json({ error: error.message }, { status: STATUS[error.code] });
      if (error instanceof ComposeError) return Response.json({ error: error.message, field: error.field }, { status: 400 });
      if (error instanceof ValidationError) return Response.json({ error: error.message, field: error.field }, { status: 400 });
      throw error;
    }
  });
}

/**
 * Changes come only from this site's own pages: a browser sends Origin on
 * every POST, PATCH and DELETE, and another site's form or fetch carries its
 * own (the session cookie is SameSite=Lax too; this is the second wall).
 */
function sameOrigin(request: Request): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') return true;
  const origin = request.headers.get('origin');
  if (!origin) return true;
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** A positive integer id from a URL or body; anything else is a 404, like an id that is not yours. */
export function idOf(value: unknown): number {
  const id = typeof value === 'number' ? value : Number(String(value ?? ''));
  if (!Number.isSafeInteger(id) || id <= 0) throw new StoreError('NONEXISTENT', 'not found');
  return id;
}
