// How the audit log's entries are worded in the window: the action, the
// table, the field names and the detail object, in the user's language.
// Pure: `tr` is the catalogue lookup. Names only — the log holds no values.
import { fieldLabel } from './syncFormat';

type Tr = (key: string, params?: Record<string, string | number>) => string;

function known(tr: Tr, key: string): string | null {
  const text = tr(key);
  return text === key ? null : text;
}

/** `create` → 新增; an unknown code as it is. */
export function actionLabel(tr: Tr, code: string): string {
  return known(tr, `auditAction.${code}`) ?? code;
}

/** `staff` → 人员; none (the whole database) → 整个数据库; else the raw name. */
export function tableLabel(tr: Tr, table: string | null): string {
  if (!table) return tr('audit.wholeDb');
  return known(tr, `syncTable.${table}`) ?? table;
}

/** The changed columns' names, in words where the catalogue knows them. */
export function fieldsText(tr: Tr, table: string | null, fields: string[]): string {
  return fields.map((f) => fieldLabel(tr, table ?? '', f)).join('、');
}

/** `{"demo":true,"staff":25}` → `示例数据：是；人员：25`; `{}` → ''. */
export function detailText(tr: Tr, json: string): string {
  let detail: unknown;
  try {
    detail = JSON.parse(json);
  } catch {
    return json;
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    return detail === null ? '' : JSON.stringify(detail);
  }
  return Object.entries(detail as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => {
      const key = known(tr, `auditDetail.${k}`) ?? k;
      const value =
        typeof v === 'boolean'
          ? tr(v ? 'sync.queue.yes' : 'sync.queue.no')
          : typeof v === 'object'
            ? JSON.stringify(v)
            : k === 'reason'
              ? (known(tr, `backup.reasons.${v}`) ?? String(v))
              : String(v);
      return tr('audit.detailPair', { key, value });
    })
    .join(tr('audit.detailSep'));
}
