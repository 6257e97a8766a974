import { describe, expect, it } from 'vitest';
import { zhCN } from './zh-CN';
import { en } from './en';
import { lookup } from './index.svelte';

function leaves(node: unknown, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'object' && v !== null) Object.assign(out, leaves(v, key));
    else out[key] = v;
  }
  return out;
}

// Every code the Rust core can send (src/model/validation.rs) and every kind
// of wire error (src-tauri/src/error.rs).
const codes = [
  'required', 'too_long', 'bad_date', 'future_date', 'before_start', 'before_registration',
  'unknown_role', 'unknown_qualification', 'certificate_required', 'certificate_not_allowed',
  'registration_required', 'bad_certificate', 'certificate_taken', 'qualification_too_low', 'not_a_supervisor',
  'rank_too_low', 'self_supervision', 'supervision_cycle', 'before_current_link',
  'supervisor_inactive', 'left_date_required', 'not_found', 'bad_time', 'end_before_start',
  'unknown_choice', 'duplicate', 'owner_required', 'due_required', 'due_before_session', 'locked',
  'reason_required', 'not_a_signer', 'already_signed', 'not_amendable', 'bad_case_code',
  'not_closed', 'before_opened', 'bad_id_number', 'birth_date_mismatch', 'bad_phone', 'not_a_group',
  'bad_number', 'too_large', 'code_taken', 'bad_month', 'outside_session', 'bad_score',
  'passphrase_too_short', 'passphrase_mismatch', 'wrong_passphrase', 'bad_backup', 'damaged', 'no_backup',
  'confirm_mismatch', 'retention_not_passed', 'case_open', 'retention_passed',
  'bad_character',
];
const kinds = ['invalid', 'notFound', 'conflict', 'locked', 'storage', 'sync', 'internal', 'closed'];
// Every code of a refused sync bundle or queue decision (SyncError::code in
// src/sync/mod.rs) and the shell's own (src-tauri/src/sync.rs).
const syncCodes = [
  'not_a_bundle', 'truncated', 'checksum', 'newer_format', 'newer_schema', 'corrupt', 'missing_parent',
  'taken', 'refused', 'write_failed', 'settled', 'standing_only', 'row_gone', 'inconsistent', 'no_file', 'is_dir',
  'file_changed',
];
// The tables that travel in a bundle (src/sync/spec.rs), named in the review queue.
const syncTables = [
  'station', 'staff', 'supervision_link', 'supervision_record', 'record_attendee', 'action_item',
  'record_signature', 'record_amendment', 'client_case', 'case_identity', 'case_consent', 'case_contact',
  'group_work', 'group_session', 'record_case', 'policy_change', 'trainer', 'training_plan_item',
  'training_plan_change', 'training', 'training_attendance', 'assessment', 'sync_conflict',
];
const roles = [
  'frontline', 'assistant_supervisor', 'trainee_supervisor', 'junior_supervisor',
  'intermediate_supervisor', 'senior_supervisor', 'station_head',
];
const qualifications = ['none', 'assistant_social_worker', 'social_worker', 'senior_social_worker'];

describe('catalogues', () => {
  it('have the same keys, none empty', () => {
    const zh = leaves(zhCN);
    const english = leaves(en);
    expect(Object.keys(english).sort()).toEqual(Object.keys(zh).sort());
    for (const [key, value] of [...Object.entries(zh), ...Object.entries(english)]) {
      expect(typeof value === 'string' && value.trim().length > 0, key).toBe(true);
    }
  });

  it('name every validation code, error kind, role and qualification', () => {
    for (const cat of [zhCN, en]) {
      for (const c of codes) expect(lookup(cat, `validation.${c}`)).not.toBe(`validation.${c}`);
      for (const k of kinds) expect(lookup(cat, `errorKind.${k}`)).not.toBe(`errorKind.${k}`);
      for (const r of roles) expect(lookup(cat, `role.${r}`)).not.toBe(`role.${r}`);
      for (const q of qualifications) expect(lookup(cat, `qualification.${q}`)).not.toBe(`qualification.${q}`);
      for (const c of syncCodes) expect(lookup(cat, `syncError.${c}`)).not.toBe(`syncError.${c}`);
      for (const tb of syncTables) expect(lookup(cat, `syncTable.${tb}`)).not.toBe(`syncTable.${tb}`);
    }
  });

  it('speak Chinese in zh-CN', () => {
    expect(lookup(zhCN, 'validation.bad_date')).toMatch(/日期/);
    expect(lookup(zhCN, 'role.assistant_supervisor')).toBe('督导助理');
  });
});

describe('lookup', () => {
  it('fills parameters and leaves unknown ones visible', () => {
    expect(lookup(zhCN, 'staff.saved', { name: '王芳' })).toBe('已保存：王芳');
    expect(lookup(en, 'stations.staffCount', { count: 3 })).toBe('3 active staff');
    expect(lookup(en, 'staff.saved')).toBe('Saved: {name}');
  });

  it('returns the key itself when it is missing, never undefined', () => {
    expect(lookup(zhCN, 'no.such.key')).toBe('no.such.key');
  });
});
