// The lock, shared: App shows the lock screen while the database is closed,
// and any command refused because it is closed waits here and is sent again
// after unlocking, so what was being typed (a draft) is saved, not lost.
import type { VaultStatusDto } from '../bindings/VaultStatusDto';

export const vault = $state({
  status: null as VaultStatusDto | null,
  /** True while the lock screen is shown over the window. */
  closed: true,
});

let waiting: Array<() => void> = [];

/** The database was found closed (locked by the user, by idleness, or at start). */
export function markClosed(): void {
  vault.closed = true;
}

let pendingLock: Promise<unknown> = Promise.resolve();

/**
 * Locks: the lock screen goes up at once, and asks the shell what to show
 * only after the shell has closed the database (else it could see it still
 * open and take itself down).
 */
export function lockWith(close: () => Promise<unknown>): Promise<unknown> {
  vault.closed = true;
  pendingLock = close().catch(() => undefined);
  return pendingLock;
}

/** Resolves once a lock under way has closed the database. */
export function lockSettled(): Promise<unknown> {
  return pendingLock;
}

/** Unlocked: commands that waited are sent again. */
export function markOpen(status: VaultStatusDto): void {
  vault.status = status;
  vault.closed = false;
  const resume = waiting;
  waiting = [];
  for (const go of resume) go();
}

/** Resolves the next time the database is open. */
export function whenOpen(): Promise<void> {
  if (!vault.closed) return Promise.resolve();
  return new Promise((resolve) => waiting.push(resolve));
}

/** Minutes of no keyboard or mouse before the window locks itself. */
const LOCK_KEY = 'stationdesk.lockMinutes';
export const DEFAULT_LOCK_MINUTES = 10;

export function lockMinutes(): number {
  const n = Number(localStorage.getItem(LOCK_KEY));
  return Number.isFinite(n) && n > 0 ? n : DEFAULT_LOCK_MINUTES;
}

export function setLockMinutes(minutes: number): void {
  localStorage.setItem(LOCK_KEY, String(minutes));
}
