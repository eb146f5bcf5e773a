/**
 * Reading a change as its JSON has it: the field a kind of change carries, undefined on a
 * change of another kind (or none), so a test can hold a whole log against expectations.
 */
import type { Briefing, Change, Entry } from '../../shared/schemas';

export function entryOf(change: Change | undefined): Entry | undefined {
  return change !== undefined && 'entry' in change ? change.entry : undefined;
}

export function briefingOf(change: Change | undefined): Briefing | undefined {
  return change !== undefined && 'briefing' in change ? change.briefing : undefined;
}
