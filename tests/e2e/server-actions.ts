// Calling a server action directly, the way a hand-made request would,
// without the page's form: its id comes from the build's manifest, and the
// body is what React sends for a useActionState form (the previous state,
// then the form's fields).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

export interface ActionEntry {
  id: string;
  file: string;
  name: string;
  /** A page path whose bundle holds the action (the action is looked up per page). */
  pagePath: string;
}

/** Turns a worker name such as "app/(admin)/domains/[domain]/page" into a path. */
function pathOf(worker: string, params: Record<string, string>): string {
  const segments = worker
    .replace(/^app\//, '')
    .replace(/\/?page$/, '')
    .split('/')
    .filter((s) => s && !/^\(.*\)$/.test(s))
    .map((s) => (/^\[(.+)\]$/.test(s) ? params[s.slice(1, -1)] ?? 'x' : s));
  return `/${segments.join('/')}`;
}

export function serverActions(params: Record<string, string> = {}): ActionEntry[] {
  const manifest = JSON.parse(readFileSync(join(root, '.next', 'server', 'server-reference-manifest.json'), 'utf8')) as {
    node: Record<string, { workers: Record<string, unknown>; filename: string; exportedName: string }>;
  };
  return Object.entries(manifest.node).map(([id, entry]) => ({
    id,
    file: entry.filename,
    name: entry.exportedName,
    pagePath: pathOf(Object.keys(entry.workers)[0], params),
  }));
}

export interface ActionAnswer {
  httpStatus: number;
  body: string;
  /** Where the action sends the browser (redirect() in the action), if anywhere. */
  redirect: string | null;
  /** The ActionState the action returned, when the body carries one. */
  state: { ok?: boolean; message?: string; fieldErrors?: Record<string, string> } | null;
}

export async function callServerAction(base: string, action: ActionEntry, fields: Record<string, string>, cookie = ''): Promise<ActionAnswer> {
  // React's encodeReply of the arguments [previous state, form data]: the
  // form data's fields as "_1_<name>", then the root row "0", which refers
  // to them as "$K1". The root comes last: the server reads the body as a
  // stream and resolves the root with the fields it has seen by then.
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(`_1_${key}`, value);
  form.append('0', JSON.stringify([{ ok: false }, '$K1']));
  const response = await fetch(`${base}${action.pagePath}`, {
    method: 'POST',
    headers: { 'next-action': action.id, accept: 'text/x-component', cookie },
    body: form,
    redirect: 'manual',
  });
  const body = await response.text();
  // The RSC answer has the action's result on a line of its own: `1:{"ok":false,...}`.
  let state: ActionAnswer['state'] = null;
  for (const line of body.split('\n')) {
    const match = /^[0-9a-f]+:(\{.*\})$/.exec(line);
    if (!match) continue;
    try {
      const value = JSON.parse(match[1]);
      if (value && typeof value === 'object' && 'ok' in value) state = value;
    } catch {
      // Not JSON: another row of the payload.
    }
  }
  return { httpStatus: response.status, body, state, redirect: response.headers.get('x-action-redirect') ?? response.headers.get('location') };
}
