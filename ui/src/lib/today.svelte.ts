// The Today list, shared: the page shows it, the navigation shows its count,
// and any screen that clears a cause (a contact, an item done) refreshes it.
import { api, type FlagDto } from './api';

export const today = $state({
  /** A supervisor's team, or null for the whole station. */
  supervisorId: null as number | null,
  stationId: null as number | null,
  flags: [] as FlagDto[],
  loaded: false,
  failed: false,
});

export async function refreshFlags(): Promise<void> {
  try {
    today.flags = await api.overdue(today.supervisorId, today.supervisorId === null ? today.stationId : null);
    today.failed = false;
  } catch {
    today.failed = true;
  }
  today.loaded = true;
}
