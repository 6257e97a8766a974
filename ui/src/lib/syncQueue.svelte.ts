// The number of open sync conflicts, shared: the navigation shows it on the
// 同步 tab, and the sync screen updates it after an import or a decision.
import { api } from './api';

export const syncQueue = $state({ open: 0 });

export async function refreshSyncQueue(): Promise<void> {
  try {
    syncQueue.open = (await api.syncStatus()).openConflicts;
  } catch {
    // The tab simply shows no count; the screen itself says what failed.
  }
}
