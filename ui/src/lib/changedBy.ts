// Names remembered on this computer so the next form is filled in: whoever
// changes the rules or the training plan (or settles a sync conflict), and
// whom sync bundles are usually written for. Only a convenience: a
// locked-down profile simply asks again.
const KEY = 'stationdesk.changedBy';
const PEER_KEY = 'stationdesk.syncPeer';

function read(key: string): string {
  try {
    return globalThis.localStorage?.getItem(key) ?? '';
  } catch {
    return '';
  }
}

function write(key: string, name: string): void {
  try {
    globalThis.localStorage?.setItem(key, name.trim());
  } catch {
    // Kept for this session only.
  }
}

export function rememberedName(): string {
  return read(KEY);
}

export function rememberName(name: string): void {
  write(KEY, name);
}

/** Whom the last sync bundle was written for. */
export function rememberedPeer(): string {
  return read(PEER_KEY);
}

export function rememberPeer(name: string): void {
  write(PEER_KEY, name);
}
