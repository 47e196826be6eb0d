// Where to go after signing in (or up, or out) when a link or a form names
// the place: only a path on this site. `/login?next=javascript:...` ran a
// script in this origin, and `next=//evil.example` or `https://evil.example`
// sent the user away, so anything but a plain local path gives the default.
// Browsers read `\` as `/` and drop tabs and newlines inside URLs (WHATWG URL
// standard, "basic URL parser"), so `/\evil.example` and `/<TAB>/evil.example`
// are other sites too: both characters are refused anywhere in the path.

// The inbox, as Gmail and Fastmail land (issue 15).
export const DEFAULT_PAGE = '/mail';

const PROBE_ORIGIN = 'http://local-path.invalid';

/** `target` when it is a path on this site (one leading `/`), else `fallback`. */
export function localPath(target: unknown, fallback = DEFAULT_PAGE): string {
  if (typeof target !== 'string' || target.length > 2048) return fallback;
  if (!target.startsWith('/') || target.startsWith('//')) return fallback;
  // Control characters (C0, DEL, C1) and backslashes: see above.
  if (/[\u0000-\u001f\u007f-\u009f\\]/.test(target)) return fallback;
  // The browser's own reading must agree: same origin, same path.
  let url: URL;
  try {
    url = new URL(target, PROBE_ORIGIN);
  } catch {
    return fallback;
  }
  return url.origin === PROBE_ORIGIN ? target : fallback;
}
