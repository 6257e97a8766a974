// The name of whoever changes the rules or the training plan, remembered on
// this computer so the next change's form is filled in. Only a convenience:
// a locked-down profile simply asks again.
const KEY = 'stationdesk.changedBy';

export function rememberedName(): string {
  try {
    return globalThis.localStorage?.getItem(KEY) ?? '';
  } catch {
    return '';
  }
}

export function rememberName(name: string): void {
  try {
    globalThis.localStorage?.setItem(KEY, name.trim());
  } catch {
    // Kept for this session only.
  }
}
