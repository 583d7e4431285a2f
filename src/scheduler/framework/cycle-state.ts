/**
 * CycleState carries per-pod data between extension points of one scheduling cycle, as
 * upstream's framework.CycleState. Values written by PreFilter must be clonable so preemption
 * can simulate on a copy.
 */
export interface StateData {
  clone(): StateData;
}

export class CycleState {
  private readonly data = new Map<string, StateData>();
  /** skipFilterPlugins / skipScorePlugins: plugins that returned Skip in PreFilter / PreScore. */
  skipFilterPlugins = new Set<string>();
  skipScorePlugins = new Set<string>();
  /** skipPreBindPlugins: plugins whose PreBindPreFlight returned Skip; undefined while none did. */
  skipPreBindPlugins: Set<string> | undefined;
  /** activeFilters: the profile's filters minus skipFilterPlugins, fixed after PreFilter. */
  activeFilters: unknown[] | undefined;

  read<T extends StateData>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  write(key: string, v: StateData): void {
    this.data.set(key, v);
  }

  delete(key: string): void {
    this.data.delete(key);
  }

  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.data) c.data.set(k, v.clone());
    c.skipFilterPlugins = new Set(this.skipFilterPlugins);
    c.skipScorePlugins = new Set(this.skipScorePlugins);
    if (this.skipPreBindPlugins) c.skipPreBindPlugins = new Set(this.skipPreBindPlugins);
    c.activeFilters = this.activeFilters;
    return c;
  }
}
