// A form that is one button: the fields it sends are hidden (which row it
// acts on). Used for suspend, enable, retry, delete, revoke.
import type { ComponentProps } from 'react';
import { ActionForm, Hidden } from './action-form.tsx';

type Action = ComponentProps<typeof ActionForm>['action'];

export function ButtonForm({
  action,
  fields,
  submit,
  danger,
  confirm,
}: {
  action: Action;
  /** Hidden fields; a false value is left out, as an unticked checkbox is. */
  fields: Record<string, string | number | boolean>;
  submit: string;
  danger?: boolean;
  confirm?: string;
}) {
  return (
    <ActionForm action={action} submit={submit} danger={danger} confirm={confirm} className="flex">
      {Object.entries(fields).map(([name, value]) =>
        value === false ? null : <Hidden key={name} name={name} value={value === true ? 'on' : value} />,
      )}
    </ActionForm>
  );
}
