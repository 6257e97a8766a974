import { describe, expect, it } from 'vitest';
import { find, rank } from './signin';

const roster = [
  { staffId: 1, name: '王芳', initials: ['wf', 'yf'], pinyin: ['wangfang', 'yufang'] },
  { staffId: 2, name: '王飞燕', initials: ['wfy'], pinyin: ['wangfeiyan'] },
  { staffId: 3, name: '单晓红', initials: ['dxh', 'sxh', 'cxh'], pinyin: ['danxiaohong', 'shanxiaohong', 'chanxiaohong'] },
  { staffId: 4, name: '李强', initials: ['lq'], pinyin: ['liqiang'] },
];

describe('the sign-in desk finds people', () => {
  it('by pinyin initials, exact initials first', () => {
    expect(find(roster, 'wf').map((e) => e.name)).toEqual(['王芳', '王飞燕']);
    expect(find(roster, 'WFY').map((e) => e.name)).toEqual(['王飞燕']);
  });
  it('by any reading of a character with several', () => {
    expect(find(roster, 'sxh').map((e) => e.name)).toEqual(['单晓红']);
    expect(find(roster, 'dxh').map((e) => e.name)).toEqual(['单晓红']);
  });
  it('by full pinyin and by characters', () => {
    expect(find(roster, 'liq').map((e) => e.name)).toEqual(['李强']);
    expect(find(roster, '晓').map((e) => e.name)).toEqual(['单晓红']);
    expect(find(roster, '王').map((e) => e.name)).toEqual(['王芳', '王飞燕']);
  });
  it('finds nobody for nothing typed or no match', () => {
    expect(find(roster, '  ')).toEqual([]);
    expect(find(roster, 'zz')).toEqual([]);
    expect(rank(roster[0], 'q')).toBeNull();
  });
});
