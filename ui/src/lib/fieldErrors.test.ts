import { describe, expect, it } from 'vitest';
import { asCommandError } from './api';
import { fieldKeys, fieldMessages } from './fieldErrors';
import { lookup } from './i18n/index.svelte';
import { zhCN } from './i18n/zh-CN';

describe('asCommandError', () => {
  it('keeps the shell’s wire error as it is', () => {
    const e = { kind: 'invalid', message: 'x', fields: [{ field: 'name', code: 'required' }] };
    expect(asCommandError(e)).toBe(e);
  });

  it('turns anything else into an internal error', () => {
    expect(asCommandError('command list_stations not found')).toEqual({
      kind: 'internal',
      message: 'command list_stations not found',
      fields: [],
    });
    expect(asCommandError(new Error('boom')).kind).toBe('internal');
  });
});

describe('field errors', () => {
  const invalid = {
    kind: 'invalid',
    message: 'Rust text the user never sees',
    fields: [
      { field: 'startDate', code: 'bad_date' },
      { field: 'startDate', code: 'future_date' },
      { field: 'name', code: 'required' },
    ],
  };

  it('give one catalogue key per field, the first code winning', () => {
    expect(fieldKeys(invalid)).toEqual({
      fields: { startDate: 'validation.bad_date', name: 'validation.required' },
      banner: 'errorKind.invalid',
    });
  });

  it('are sentences from the catalogue, never the Rust message', () => {
    const shown = fieldMessages(invalid);
    expect(shown.fields.startDate).toBe(lookup(zhCN, 'validation.bad_date'));
    expect(shown.banner).toBe(lookup(zhCN, 'errorKind.invalid'));
    expect(JSON.stringify(shown)).not.toContain('Rust text');
  });
});
