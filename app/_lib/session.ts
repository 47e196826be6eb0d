// The one auth helper: every page, route handler and server action finds the
// signed-in account and checks its rights through here, on the server.
// The session says only who signed in; role, disabled state and domain
// rights are read from the database on each request, so a suspension or a
// role change takes effect at once.
import { getServerSession } from 'next-auth';
import { notFound, redirect } from 'next/navigation';
import type { Domain } from '@/prisma/generated/sqlite/client.ts';
import { findAccount, type AccountView } from '@/mail-daemon/accounts/accounts.ts';
import { needsSetup } from '@/mail-daemon/accounts/signup.ts';
import { webSessionUser } from '@/mail-daemon/accounts/web-sessions.ts';
import { administers } from '@/mail-daemon/domains/domain-admins.ts';
import { findDomain } from '@/mail-daemon/domains/domains.ts';
import { ValidationError } from '@/mail-daemon/errors/validation-error.ts';
import { getMailStore, type MailStore } from '@/mail-daemon/store/context.ts';
import { authOptions } from './auth-options.ts';

/** 401: not signed in; 403: signed in without the right; 404: no such thing, or not one of yours. */
export class AccessDenied extends Error {
  constructor(
    readonly status: 401 | 403 | 404,
    message = status === 401 ? 'Sign in first.' : status === 403 ? 'You are not allowed to do this.' : 'Not found.',
  ) {
    super(message);
    this.name = 'AccessDenied';
  }
}

export interface SignedIn {
  store: MailStore;
  account: AccountView;
}

/** The signed-in account, or null (no session, or the account is gone or suspended). */
export async function currentAccount(): Promise<SignedIn | null> {
  const session = (await getServerSession(authOptions())) as { accountId?: number; stamp?: string; sessionId?: string } | null;
  if (!session?.accountId) return null;
  const store = await getMailStore();
  // Signed out, expired, suspended or from before the last password change: ended, although the cookie still verifies.
  const account = await webSessionUser(store, { accountId: session.accountId, sessionId: session.sessionId, stamp: session.stamp });
  return account ? { store, account } : null;
}

export async function requireSignedIn(): Promise<SignedIn> {
  const signedIn = await currentAccount();
  if (!signedIn) throw new AccessDenied(401);
  return signedIn;
}

export async function requirePlatformAdmin(): Promise<SignedIn> {
  const signedIn = await requireSignedIn();
  if (signedIn.account.role !== 'admin') throw new AccessDenied(403);
  return signedIn;
}

/** The domain if the signed-in account administers it; 404 for a domain that is not there or not its own alike. */
export async function requireDomainAdmin(domainName: string): Promise<SignedIn & { domain: Domain }> {
  const signedIn = await requireSignedIn();
  const domain = await findDomain(signedIn.store, decodeURIComponent(String(domainName ?? ''))).catch(noneIfMalformed);
  if (!domain || !(await administers(signedIn.store, signedIn.account, domain))) throw new AccessDenied(404, 'There is no such domain among yours.');
  return { ...signedIn, domain };
}

/**
 * An account that the signed-in user may manage: it is on a domain they
 * administer, and only platform admins touch platform admins' accounts.
 */
export async function requireMailboxAdmin(address: string): Promise<SignedIn & { domain: Domain; target: AccountView }> {
  const signedIn = await requireSignedIn();
  const normalized = String(address ?? '').trim().toLowerCase();
  const at = normalized.lastIndexOf('@');
  const access = await requireDomainAdmin(at > 0 ? normalized.slice(at + 1) : '');
  const target = await findAccount(signedIn.store, normalized).catch(noneIfMalformed);
  if (!target || target.domainId !== access.domain.id) throw new AccessDenied(404, `There is no mailbox ${normalized} on ${access.domain.name}.`);
  if (target.role === 'admin' && access.account.role !== 'admin') throw new AccessDenied(403, 'Only platform admins manage platform admin accounts.');
  return { ...access, target };
}

/** A name that cannot be a domain or an address names nothing of yours: the same 404 as a missing one. */
function noneIfMalformed(error: unknown): null {
  if (error instanceof ValidationError) return null;
  throw error;
}

/** For pages: runs a check, and turns a denial into the sign-in page or a 404. */
export async function forPage<T>(check: () => Promise<T>): Promise<T> {
  const store = await getMailStore();
  if (await needsSetup(store)) redirect('/setup');
  try {
    return await check();
  } catch (error) {
    if (!(error instanceof AccessDenied)) throw error;
    if (error.status === 401) redirect('/login');
    notFound();
  }
}

/** Sends every page to setup until the platform has an admin. */
export async function requireSetupDone(): Promise<void> {
  if (await needsSetup(await getMailStore())) redirect('/setup');
}

type RouteContext = { params: Promise<Record<string, string>> };

/** For route handlers: the check's denial becomes a JSON answer with its status. */
export function withAuth<C extends RouteContext>(handler: (request: Request, context: C) => Promise<Response>) {
  return async (request: Request, context: C): Promise<Response> => {
    try {
      return await handler(request, context);
    } catch (error) {
      if (error instanceof AccessDenied) return Response.json({ error: error.message }, { status: error.status });
      throw error;
    }
  };
}
