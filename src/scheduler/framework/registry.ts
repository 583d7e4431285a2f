/**
 * Registry maps plugin names to factories, as upstream's runtime.Registry. Out-of-tree
 * plugins register under a new name; the default profile names the in-tree ones.
 */
import type { Handle, Plugin } from './interface.js';

/** PluginFactory builds a plugin from its pluginConfig args (undefined when none are given). */
export type PluginFactory = (args: unknown, handle: Handle) => Plugin;

export type Registry = Map<string, PluginFactory>;

/** normalizeScores rescales to [0, max] by the largest score; reverse flips it (fewer is better). */
export function defaultNormalizeScore(max: number, reverse: boolean, scores: number[]): void {
  let top = 0;
  for (const s of scores) if (s > top) top = s;
  if (top === 0) {
    if (reverse) for (let i = 0; i < scores.length; i++) scores[i] = max;
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    let s = Math.trunc((max * scores[i]!) / top);
    if (reverse) s = max - s;
    scores[i] = s;
  }
}
