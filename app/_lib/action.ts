// Server actions share one shape: the form's fields are checked with zod,
// then the work runs; a ValidationError from a domain function or a zod
// issue comes back as field errors or a message that the form shows. An
// AccessDenied is not a form error: the caller is sent to sign in (401), or
// the request gets an HTTP 404 as a page would (403, 404), so a hand-made
// request learns nothing more than through the UI.
import { notFound, redirect } from 'next/navigation';
import type { z } from 'zod';
import { ValidationError } from '@/mail-daemon/errors/validation-error.ts';
import { AccessDenied } from './session.ts';

/** Data a form shows after success (see ActionForm). */
export interface RevealData {
  reveal?: string;
  revealLabel?: string;
  /** A data: URL. */
  qr?: string;
  /** One-time codes shown as a list, with a download button. */
  codes?: string[];
  /** A button that reloads the page once the user has read what was revealed. */
  done?: string;
  /** Sign in again with the password the form sent in `passwordField` (default "password"); `stay` keeps the page (and its message). */
  signIn?: { address: string; to: string; passwordField?: string; stay?: boolean };
}

export interface ActionState<Data = RevealData> {
  ok: boolean;
  message?: string;
  /** "hint": the message says what to do next, not that something is done (so it is not shown as a success). */
  tone?: 'hint';
  fieldErrors?: Record<string, string>;
  data?: Data;
  /** Changes on every answer, so forms can react to each one. */
  at?: number;
}

export const initialState: ActionState = { ok: false };

function formFields(formData: FormData): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of formData.entries()) {
    if (key.startsWith('$ACTION') || typeof value !== 'string') continue;
    fields[key] = value;
  }
  return fields;
}

export async function runAction<S extends z.ZodType>(
  schema: S,
  formData: FormData,
  work: (input: z.infer<S>) => Promise<Omit<ActionState, 'ok'> | string | void>,
): Promise<ActionState> {
  const at = Date.now();
  const parsed = schema.safeParse(formFields(formData));
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? 'form');
      fieldErrors[field] ??= issue.message;
    }
    return { ok: false, fieldErrors, message: 'Check the fields marked.', at };
  }
  try {
    const result = await work(parsed.data);
    if (typeof result === 'string') return { ok: true, message: result, at };
    return { ok: true, ...(result ?? {}), at };
  } catch (error) {
    if (error instanceof AccessDenied) {
      if (error.status === 401) redirect('/login');
      notFound();
    }
    if (error instanceof ValidationError) return { ok: false, fieldErrors: { [error.field]: error.message }, message: error.message, at };
    throw error;
  }
}
