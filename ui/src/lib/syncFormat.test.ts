import { describe, expect, it } from 'vitest';
import { lookup } from './i18n/index.svelte';
import { zhCN } from './i18n/zh-CN';
import { fieldLabel, formatValues, recordLabel, syncErrorKey } from './syncFormat';

const tr = (key: string, params?: Record<string, string | number>) => lookup(zhCN, key, params);

describe('conflict values', () => {
  it('show values only, comma-separated, with codes in words', () => {
    expect(formatValues(tr, 'staff', '{"name":"王芳"}')).toBe('王芳');
    expect(formatValues(tr, 'client_case', '{"risk":"high","risk_since":"2026-03-01"}')).toBe('高风险, 2026-03-01');
    expect(formatValues(tr, 'case_consent', '{"kind":"guardian","given_on":null}')).toBe('监护人同意, （空）');
    expect(formatValues(tr, 'group_work', '{"therapeutic":1}')).toBe('是');
    expect(formatValues(tr, 'supervision_record', '{"functions":"administrative,supportive"}')).toBe('行政、支持');
  });

  it('do not show a linked row’s sync id, nor fail on text that is not JSON', () => {
    expect(formatValues(tr, 'staff', '{"station_id":"0190abcd-ef"}')).toBe('（关联的另一条记录）');
    expect(formatValues(tr, 'staff', 'not json')).toBe('not json');
    expect(formatValues(tr, 'staff', '{}')).toBe('（空）');
  });
});

describe('labels', () => {
  it('name the table, the row and the field in Chinese', () => {
    expect(recordLabel(tr, 'staff', '王芳')).toBe('人员「王芳」');
    expect(recordLabel(tr, 'client_case', '')).toBe('个案');
    expect(fieldLabel(tr, 'staff', 'name')).toBe('姓名');
    expect(fieldLabel(tr, 'station', 'name')).toBe('名称');
    expect(fieldLabel(tr, 'client_case', 'risk')).toBe('风险等级');
    expect(fieldLabel(tr, 'supervision_record', '*')).toBe('整条记录');
  });
});

describe('refusals', () => {
  it('pick the sentence by the field’s code', () => {
    const bundle = { kind: 'sync', message: 'x', fields: [{ field: 'bundle', code: 'truncated' }] };
    expect(syncErrorKey(tr, bundle)).toEqual({ field: 'bundle', key: 'syncError.truncated' });
    expect(tr(syncErrorKey(tr, bundle).key)).toMatch(/不完整.*重新拷贝/);
    const by = { kind: 'invalid', message: 'x', fields: [{ field: 'by', code: 'required' }] };
    expect(syncErrorKey(tr, by)).toEqual({ field: 'by', key: 'validation.required' });
    expect(syncErrorKey(tr, { kind: 'storage', message: 'x', fields: [] })).toEqual({
      field: null,
      key: 'errorKind.storage',
    });
  });
});
