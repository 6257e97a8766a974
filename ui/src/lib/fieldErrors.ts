// Turns a command error into one message per field, in the current language.
import { asCommandError } from './api';
import { t } from './i18n/index.svelte';

export function fieldMessages(e: unknown): { fields: Record<string, string>; banner: string } {
  const error = asCommandError(e);
  const fields: Record<string, string> = {};
  for (const f of error.fields) fields[f.field] ??= t(`validation.${f.code}`);
  return { fields, banner: t(`errorKind.${error.kind}`) };
}

/** Today as YYYY-MM-DD in the computer's own time zone. */
export function localToday(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
