// The tab title of the webmail: where you are, its unread count, and whose
// mail it is ("Inbox (3) · alice@example.com"), on the server's first render
// and kept current by the client.
export function mailTitle(folder: { label: string; unread: number } | undefined, address: string): string {
  if (!folder) return address;
  return `${folder.label}${folder.unread > 0 ? ` (${folder.unread})` : ''} · ${address}`;
}
