import { describe, expect, it } from 'vitest';
import { lookup } from './i18n/index.svelte';
import { zhCN } from './i18n/zh-CN';
import { en } from './i18n/en';
import { actionLabel, detailText, fieldsText, tableLabel } from './auditFormat';

const tr = (key: string, params?: Record<string, string | number>) => lookup(zhCN, key, params);
const trEn = (key: string, params?: Record<string, string | number>) => lookup(en, key, params);

// Every action the log records (AuditAction::code in src/store/audit.rs).
const actions = ['create', 'update', 'delete', 'sign', 'amend', 'export', 'import', 'restore', 'passphrase', 'purge', 'backup'];

describe('audit entries', () => {
  it('name every action in Chinese, as the core does', () => {
    const zh = actions.map((a) => actionLabel(tr, a));
    expect(zh).toEqual(['新增', '修改', '删除', '签名', '修订', '导出', '导入', '恢复', '修改密码', '清除', '备份']);
    for (const a of actions) expect(actionLabel(trEn, a)).not.toBe(a);
    expect(actionLabel(tr, 'mystery')).toBe('mystery');
  });

  it('name the common tables in Chinese and fall back to the raw name', () => {
    expect(tableLabel(tr, 'staff')).toBe('人员');
    expect(tableLabel(tr, 'client_case')).toBe('个案');
    expect(tableLabel(tr, 'supervision_record')).toBe('督导记录');
    expect(tableLabel(tr, 'some_new_table')).toBe('some_new_table');
    expect(tableLabel(tr, null)).toBe('整个数据库');
  });

  it('list field names, never values', () => {
    expect(fieldsText(tr, 'staff', ['name', 'phone_unknown_col'])).toBe('姓名、phone_unknown_col');
    expect(fieldsText(tr, null, [])).toBe('');
  });

  it('word the detail object', () => {
    expect(detailText(tr, '{}')).toBe('');
    expect(detailText(tr, '{"demo":true,"staff":25}')).toBe('示例数据：是；人员：25');
    expect(detailText(tr, '{"rows":3,"saved_as":null}')).toBe('条数：3');
    expect(detailText(tr, '{"reason":"daily","encrypted":true}')).toBe('原因：每日；已加密：是');
    expect(detailText(tr, 'not json')).toBe('not json');
  });
});
