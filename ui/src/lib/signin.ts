// Finding a person at the sign-in desk from a few typed characters: the
// name itself, its pinyin initials (wf → 王芳) or its full pinyin. The keys
// come from Rust (`name_keys`), every reading of a character with several.
import type { RosterDto } from '../bindings/RosterDto';

/** How well `entry` matches `typed` (lower is better), or null for no match. */
export function rank(entry: RosterDto, typed: string): number | null {
  const q = typed.trim().toLowerCase().replace(/\s+/g, '');
  if (q === '') return null;
  if (entry.name === q) return 0;
  if (entry.initials.includes(q)) return 1;
  if (entry.name.startsWith(q)) return 2;
  if (entry.initials.some((k) => k.startsWith(q))) return 3;
  if (entry.pinyin.some((k) => k.startsWith(q))) return 4;
  if (entry.name.includes(q)) return 5;
  return null;
}

/** The entries matching `typed`, best first, then by name. */
export function find(roster: RosterDto[], typed: string): RosterDto[] {
  return roster
    .map((entry) => ({ entry, r: rank(entry, typed) }))
    .filter((x): x is { entry: RosterDto; r: number } => x.r !== null)
    .sort((a, b) => a.r - b.r || a.entry.name.localeCompare(b.entry.name, 'zh-CN'))
    .map((x) => x.entry);
}

/** Now as HH:MM, the default time of a late arrival or early leaving. */
export function nowHm(): string {
  const d = new Date();
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}
