// Polled by the start scripts and the tests: answers ok only once the
// database is migrated, open and answering queries.
import { getDatabase } from '@/prisma/database.ts';

export const dynamic = 'force-dynamic';

export async function GET() {
  try {
    const { engine, prisma } = await getDatabase();
    await prisma.$queryRawUnsafe('SELECT 1');
    return Response.json({ ok: true, database: engine });
  } catch (error) {
    return Response.json({ ok: false, error: (error as Error).message }, { status: 503 });
  }
}
