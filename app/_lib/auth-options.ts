// next-auth 4: the Credentials provider with JWT sessions (the only kind it
// supports). authorize() goes through the platform's one login check, with
// the web's rate limiter, then the second factor when the account has one.
// Its errors are codes that the sign-in page turns into words.
import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { loadConfig } from '@/mail-daemon/config/config.ts';
import { dataDirSecret } from '@/mail-daemon/config/data-dir-secret.ts';
import { checkLogin, recordLoginFailure } from '@/mail-daemon/accounts/login.ts';
import { twoFactorEnabled, verifySignInCode } from '@/mail-daemon/accounts/totp.ts';
import { currentPasswordStamp, endWebSession, startWebSession } from '@/mail-daemon/accounts/web-sessions.ts';
import { getMailStore } from '@/mail-daemon/store/context.ts';
import { localPath } from './local-path.ts';
import { clientAddressOf, webLoginLimiter } from './web-limits.ts';

export const LOGIN_ERRORS = ['bad-credentials', 'rate-limited', 'totp-required', 'bad-totp'] as const;

// The JWT secret: NEXTAUTH_SECRET, else one made on first use and kept in
// DATA_DIR, so sessions survive restarts without any setting.
function sessionSecret(): string {
  return process.env.NEXTAUTH_SECRET || dataDirSecret(loadConfig().dataDir, 'web-session-secret');
}

const SESSION_SECONDS = 7 * 24 * 3600;

let options: NextAuthOptions | undefined;

/** Built on first use (at request time), never during `next build`. */
export function authOptions(): NextAuthOptions {
  // Self-hosted under whatever name it is reached by: take the origin from
  // the request unless NEXTAUTH_URL pins it.
  if (!process.env.NEXTAUTH_URL) process.env.AUTH_TRUST_HOST ??= 'true';
  options ??= {
    secret: sessionSecret(),
    session: { strategy: 'jwt', maxAge: SESSION_SECONDS },
    pages: { signIn: '/login' },
    providers: [
      CredentialsProvider({
        name: 'Mail account',
        credentials: { address: { type: 'email' }, password: { type: 'password' }, code: { type: 'text' } },
        async authorize(credentials, req) {
          const address = String(credentials?.address ?? '').trim();
          const password = String(credentials?.password ?? '');
          const ip = clientAddressOf(req?.headers?.['x-forwarded-for']);
          const store = await getMailStore();
          const limiter = webLoginLimiter(store);
          const attempt = { service: 'web', client: ip, account: address };
          const result = await checkLogin(store, limiter, attempt, password, { purpose: 'web' });
          if (!result.ok) throw new Error(result.reason === 'rate-limited' ? `rate-limited:${result.retryAfterMs}` : 'bad-credentials');
          const account = result.account;
          if (await twoFactorEnabled(store, account.id)) {
            const code = String(credentials?.code ?? '').trim();
            if (!code) throw new Error('totp-required');
            if (!(await verifySignInCode(store, account.id, code))) {
              await recordLoginFailure(limiter, attempt, 'bad-second-factor');
              throw new Error('bad-totp');
            }
          }
          return { id: String(account.id), email: account.address, name: account.displayName || account.address, stamp: await currentPasswordStamp(store, account.id) };
        },
      }),
    ],
    callbacks: {
      async jwt({ token, user }) {
        if (user) {
          const accountId = Number(user.id);
          token.accountId = accountId;
          token.stamp = (user as { stamp?: string }).stamp;
          // The server-side half of the session: see web-sessions.ts.
          token.sessionId = await startWebSession(await getMailStore(), accountId, SESSION_SECONDS * 1000);
        }
        return token;
      },
      session({ session, token }) {
        Object.assign(session, { accountId: token.accountId, stamp: token.stamp, sessionId: token.sessionId });
        return session;
      },
      // callbackUrl (sign-in and sign-out) goes only to a path on this site.
      redirect({ url, baseUrl }) {
        return baseUrl + localPath(url.startsWith(`${baseUrl}/`) ? url.slice(baseUrl.length) : url);
      },
    },
    events: {
      async signOut({ token }) {
        await endWebSession(await getMailStore(), token?.sessionId);
      },
    },
  };
  return options;
}
