// The web app's URLs for message parts, in one place: the route handlers under
// app/api/mail/ answer them, the reading view links to them.

/** Download (or, inline, show) one part of a message by its section number. */
export function partUrl(messageId: number, path: string, options: { inline?: boolean } = {}): string {
  return `/api/mail/messages/${messageId}/parts/${path}${options.inline ? '?inline=1' : ''}`;
}

export function rawSourceUrl(messageId: number): string {
  return `/api/mail/messages/${messageId}/raw`;
}
