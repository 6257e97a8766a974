// How the sync screen words things: a conflict's values (JSON objects of
// column → value, shown as values only), the record and field it is about,
// and the sentence for a refused bundle. Pure: `tr` is the catalogue lookup.
import { asCommandError } from './api';

type Tr = (key: string, params?: Record<string, string | number>) => string;

/** The catalogue namespace that names a column's codes, by table. */
function codesOf(table: string, col: string): string | null {
  if (col === 'kind') {
    return (
      { case_consent: 'consentKind', case_contact: 'contactKind', group_work: 'groupKind', assessment: 'assessmentKind' }[
        table
      ] ?? null
    );
  }
  if (col === 'status' && table === 'training_attendance') return 'signInStatus';
  return (
    {
      role: 'role',
      qualification: 'qualification',
      mode: 'mode',
      functions: 'function',
      attendance: 'attendance',
      category: 'category',
      risk: 'risk',
      stage: 'stage',
      area: 'contentArea',
      method: 'trainingMethod',
    }[col] ?? null
  );
}

// 0/1 columns the database keeps as flags.
const FLAGS = new Set(['difficult', 'therapeutic', 'counts_ce', 'passed', 'sensitive']);

function known(tr: Tr, key: string): string | null {
  const text = tr(key);
  return text === key ? null : text;
}

function one(tr: Tr, table: string, col: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return tr('sync.queue.emptyValue');
  // A foreign key travels as the other row's sync id: meaningless to a person.
  if (col.endsWith('_id') && typeof v === 'string') return tr('sync.queue.linked');
  if (FLAGS.has(col) && (v === 0 || v === 1 || typeof v === 'boolean')) {
    return tr(v ? 'sync.queue.yes' : 'sync.queue.no');
  }
  const ns = codesOf(table, col);
  if (ns && typeof v === 'string') {
    return v
      .split(',')
      .map((code) => known(tr, `${ns}.${code.trim()}`) ?? code)
      .join('、');
  }
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** `{"name":"王芳","role":"frontline"}` → `王芳, 一线社工`. */
export function formatValues(tr: Tr, table: string, json: string): string {
  let values: unknown;
  try {
    values = JSON.parse(json);
  } catch {
    return json;
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    return one(tr, table, '', values);
  }
  const entries = Object.entries(values as Record<string, unknown>);
  if (entries.length === 0) return tr('sync.queue.emptyValue');
  return entries.map(([col, v]) => one(tr, table, col, v)).join(', ');
}

/** The field's name in the user's language; `*` is the whole record. */
export function fieldLabel(tr: Tr, table: string, field: string): string {
  if (field === '*' || field === '') return tr('sync.queue.wholeRow');
  return known(tr, `syncFieldIn.${table}.${field}`) ?? known(tr, `syncField.${field}`) ?? field;
}

/** The table's name, then what a person knows the row by. */
export function recordLabel(tr: Tr, table: string, label: string): string {
  const kind = known(tr, `syncTable.${table}`) ?? table;
  return label ? tr('sync.queue.recordLabel', { table: kind, label }) : kind;
}

/**
 * The catalogue key of a refused sync command's sentence, and the field it
 * belongs beside (`path`, `bundle`, `by`, or null for the page's banner).
 */
export function syncErrorKey(tr: Tr, e: unknown): { field: string | null; key: string } {
  const error = asCommandError(e);
  const first = error.fields[0];
  if (first) {
    const key = known(tr, `syncError.${first.code}`) ? `syncError.${first.code}` : `validation.${first.code}`;
    return { field: first.field, key };
  }
  return { field: null, key: `errorKind.${error.kind}` };
}
