// Turns a command error into one message per field, in the current language.
import { asCommandError } from './api';
import { t } from './i18n/index.svelte';

export function fieldMessages(e: unknown): { fields: Record<string, string>; banner: string } {
  const keys = fieldKeys(e);
  const fields: Record<string, string> = {};
  for (const [field, key] of Object.entries(keys.fields)) fields[field] = t(key);
  return { fields, banner: t(keys.banner) };
}

/**
 * The same as catalogue keys, for a view that calls `t` while it renders, so
 * the messages follow a change of language while they are on screen.
 */
export function fieldKeys(e: unknown): { fields: Record<string, string>; banner: string } {
  const error = asCommandError(e);
  const fields: Record<string, string> = {};
  for (const f of error.fields) fields[f.field] ??= `validation.${f.code}`;
  return { fields, banner: `errorKind.${error.kind}` };
}

/** Today as YYYY-MM-DD in the computer's own time zone. */
export function localToday(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
