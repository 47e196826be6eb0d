'use client';
// A form bound to one server action: it shows the action's message, and each
// field shows its own error next to it.
import { createContext, startTransition, useActionState, useContext, useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import { signIn } from 'next-auth/react';
import { useRouter } from 'next/navigation';
import type { ActionState, RevealData } from '../_lib/action.ts';
import { localPath } from '../_lib/local-path.ts';

type Action = (state: ActionState, formData: FormData) => Promise<ActionState>;

const FormState = createContext<ActionState>({ ok: false });

export function ActionForm({
  action,
  children,
  submit,
  confirm,
  resetOnSuccess = false,
  className = 'flex flex-col gap-3',
  testId,
  danger = false,
}: {
  action: Action;
  children?: ReactNode;
  submit: string;
  /** Asks before submitting (deletions). */
  confirm?: string;
  resetOnSuccess?: boolean;
  className?: string;
  testId?: string;
  danger?: boolean;
}) {
  const [state, formAction, pending] = useActionState(action, { ok: false });
  const form = useRef<HTMLFormElement>(null);
  const submitted = useRef<FormData | null>(null);
  // "false" in the server's HTML until React has taken the form over (tests wait for it).
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  useEffect(() => {
    if (state.ok && resetOnSuccess) form.current?.reset();
  }, [state, resetOnSuccess]);
  return (
    <FormState.Provider value={state}>
      <form
        ref={form}
        action={formAction}
        className={className}
        data-testid={testId}
        data-hydrated={hydrated}
        noValidate
        onSubmit={(event) => {
          // Submitted by hand rather than through the action prop: React
          // resets a form after its action, which would clear what the user
          // typed whenever a field error comes back.
          event.preventDefault();
          if (confirm && !window.confirm(confirm)) return;
          const data = new FormData(event.currentTarget);
          submitted.current = data;
          startTransition(() => formAction(data));
        }}
      >
        {children}
        <div className="flex items-center gap-3">
          <button
            type="submit"
            disabled={pending}
            className={`btn ${danger ? 'btn-danger' : 'btn-primary'}`}
          >
            {submit}
          </button>
          {state.message ? (
            <p role={state.ok ? 'status' : 'alert'} data-testid="form-message" data-tone={state.ok ? (state.tone ?? 'success') : 'error'} className={`text-sm ${!state.ok ? 'text-danger' : state.tone === 'hint' ? 'text-foreground' : 'text-success'}`}>
              {state.message}
            </p>
          ) : null}
        </div>
        {state.ok ? <Reveal data={state.data as RevealData | undefined} submitted={submitted} /> : null}
      </form>
    </FormState.Provider>
  );
}

function FieldError({ name }: { name: string }) {
  const state = useContext(FormState);
  const error = state.fieldErrors?.[name];
  return error ? (
    <span className="text-sm text-danger" id={`${name}-error`} data-testid={`error-${name}`}>
      {error}
    </span>
  ) : null;
}

export function Field({
  name,
  label,
  type = 'text',
  defaultValue,
  placeholder,
  autoComplete,
  suffix,
}: {
  name: string;
  label: string;
  type?: string;
  defaultValue?: string | number;
  placeholder?: string;
  autoComplete?: string;
  suffix?: string;
}) {
  const state = useContext(FormState);
  const invalid = Boolean(state.fieldErrors?.[name]);
  return (
    <label className="flex flex-col gap-1 text-sm">
      <span className="font-medium">{label}</span>
      <span className="flex items-center gap-2">
        <input
          name={name}
          type={type}
          defaultValue={defaultValue}
          placeholder={placeholder}
          autoComplete={autoComplete}
          aria-invalid={invalid}
          aria-describedby={invalid ? `${name}-error` : undefined}
          className={`w-full rounded-md border bg-background px-2 py-1.5 ${invalid ? 'border-red-600' : 'border-border'}`}
        />
        {suffix ? <span className="text-muted">{suffix}</span> : null}
      </span>
      <FieldError name={name} />
    </label>
  );
}

export function TextArea({ name, label, defaultValue, rows = 4 }: { name: string; label: string; defaultValue?: string; rows?: number }) {
  const state = useContext(FormState);
  const invalid = Boolean(state.fieldErrors?.[name]);
  return (
    <label className="flex flex-col gap-1 text-sm">
      <span className="font-medium">{label}</span>
      <textarea
        name={name}
        rows={rows}
        defaultValue={defaultValue}
        aria-invalid={invalid}
        className={`rounded-md border bg-background px-2 py-1.5 font-mono ${invalid ? 'border-red-600' : 'border-border'}`}
      />
      <FieldError name={name} />
    </label>
  );
}

export function Select({ name, label, options, defaultValue }: { name: string; label: string; options: { value: string; label: string }[]; defaultValue?: string }) {
  return (
    <label className="flex flex-col gap-1 text-sm">
      <span className="font-medium">{label}</span>
      <select name={name} defaultValue={defaultValue} className="rounded-md border border-border bg-background px-2 py-1.5">
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldError name={name} />
    </label>
  );
}

export function Checkbox({ name, label, defaultChecked }: { name: string; label: string; defaultChecked?: boolean }) {
  return (
    <label className="flex items-center gap-2 text-sm">
      <input type="checkbox" name={name} defaultChecked={defaultChecked} />
      <span>{label}</span>
      <FieldError name={name} />
    </label>
  );
}

export function Hidden({ name, value }: { name: string; value: string | number }) {
  return <input type="hidden" name={name} value={value} />;
}

/** What an action hands back to show once: a secret, a QR code, or a sign-in to do. */
function Reveal({ data, submitted }: { data?: RevealData; submitted: RefObject<FormData | null> }) {
  const signInTo = data?.signIn;
  const router = useRouter();
  useEffect(() => {
    if (!signInTo) return;
    // Setup and signup create the account on the server; sign it in with the
    // password that was submitted, then go on.
    const password = String(submitted.current?.get(signInTo.passwordField ?? 'password') ?? '');
    void signIn('credentials', { address: signInTo.address, password, redirect: false }).then(() => (signInTo.stay ? router.refresh() : window.location.assign(localPath(signInTo.to))));
  }, [signInTo, submitted, router]);
  if (!data) return null;
  return (
    <div className="flex flex-col gap-2 text-sm">
      {signInTo ? <p className="text-muted">Signing you in…</p> : null}
      {data.qr ? <img src={data.qr} alt="QR code for the authenticator app" width={180} height={180} /> : null}
      {data.codes ? (
        <div className="flex flex-col gap-2" data-testid="recovery-codes-shown">
          <p>{data.revealLabel}</p>
          <ol className="grid grid-cols-2 gap-1 rounded-md border border-border bg-background p-3 font-mono sm:grid-cols-5">
            {data.codes.map((code) => <li key={code}>{code}</li>)}
          </ol>
          <div className="flex flex-wrap gap-2">
            <button type="button" className="btn" onClick={() => downloadText('recovery-codes.txt', `${data.codes!.join('\n')}\n`)}>Download</button>
            {data.done ? <button type="button" className="btn btn-primary" onClick={() => window.location.reload()}>{data.done}</button> : null}
          </div>
        </div>
      ) : null}
      {data.reveal ? (
        <p>
          {data.revealLabel ?? ''} <code className="rounded bg-background px-2 py-1 font-mono" data-testid="revealed">{data.reveal}</code>
        </p>
      ) : null}
    </div>
  );
}

/** Saves text as a file through a Blob URL (no server round trip, no data: URL). */
function downloadText(filename: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}
