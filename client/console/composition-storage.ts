/**
 * Where a composer's text survives a reload or a crash: the browser's localStorage, one
 * slot for the new entry and one for a correction, per account and briefing.
 */
import { restoreComposition, storageKey, type Composition, type Slot } from './composition';

export class CompositionStorage {
  constructor(
    private readonly userId: string,
    private readonly slug: string,
  ) {}

  /** What the slot holds, if it is still a composition this console can use. */
  load(slot: Slot): Composition | null {
    try {
      return restoreComposition(localStorage.getItem(storageKey(this.userId, this.slug, slot)), slot);
    } catch {
      // Storage is off: the composer starts empty.
      return null;
    }
  }

  /** Writes both slots (an absent correction clears its slot); false when the browser keeps nothing. */
  save(compose: Composition, edit: Composition | null): boolean {
    try {
      localStorage.setItem(storageKey(this.userId, this.slug, 'compose'), JSON.stringify(compose));
      if (edit) localStorage.setItem(storageKey(this.userId, this.slug, 'edit'), JSON.stringify(edit));
      else localStorage.removeItem(storageKey(this.userId, this.slug, 'edit'));
      return true;
    } catch {
      return false;
    }
  }
}
