// The current language and `t(key, params)`. zh-CN is the default; the
// choice is remembered on this computer.
import { zhCN, type Catalogue } from './zh-CN';
import { en } from './en';

export type Locale = 'zh-CN' | 'en';

const catalogues: Record<Locale, Catalogue> = { 'zh-CN': zhCN, en };
const STORAGE_KEY = 'stationdesk.locale';

function initialLocale(): Locale {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

export const i18n = $state<{ locale: Locale }>({ locale: initialLocale() });

export function setLocale(locale: Locale): void {
  i18n.locale = locale;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, locale);
  } catch {
    // A locked-down profile keeps the choice for this session only.
  }
  if (typeof document !== 'undefined') {
    document.documentElement.lang = locale;
    document.title = t('app.title');
  }
}

/** Looks `key` (dotted, e.g. `form.save`) up in `catalogue` and fills `{name}` params. */
export function lookup(catalogue: Catalogue, key: string, params: Record<string, string | number> = {}): string {
  let node: unknown = catalogue;
  for (const part of key.split('.')) {
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined;
  }
  if (typeof node !== 'string') return key;
  return node.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** The sentence for `key` in the current language. */
export function t(key: string, params?: Record<string, string | number>): string {
  return lookup(catalogues[i18n.locale], key, params);
}

export { catalogues };
