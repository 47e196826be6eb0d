import NextAuth from 'next-auth';
import { authOptions } from '@/app/_lib/auth-options.ts';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ nextauth: string[] }> };

// The options are built at the first request, not when `next build` loads this module.
function handler(request: Request, context: Context) {
  return NextAuth(request as never, context as never, authOptions());
}

export { handler as GET, handler as POST };
