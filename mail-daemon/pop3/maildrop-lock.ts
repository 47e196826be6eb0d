// RFC 1939 4 / RFC 2449 8.1.1 [IN-USE]: one POP3 session per maildrop.
//
// The lock lives in this process's memory, keyed by database and account.
// That is exact for one daemon; several daemons sharing one PostgreSQL
// database each keep their own set, so two sessions on different daemons are
// not kept apart. Closing that gap needs a lease row in the database.
const held = new Set<string>();

function keyOf(databaseUrl: string, accountId: number): string {
  return `${databaseUrl}\n${accountId}`;
}

/** Takes the lock and returns its release function, or null when another session holds it. */
export function lockMaildrop(databaseUrl: string, accountId: number): (() => void) | null {
  const key = keyOf(databaseUrl, accountId);
  if (held.has(key)) return null;
  held.add(key);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    held.delete(key);
  };
}
