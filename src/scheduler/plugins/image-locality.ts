/** ImageLocality favours nodes that already hold the pod's images, weighted by how widely each image is spread. */
import type { CycleState } from '../framework/cycle-state.js';
import { MAX_NODE_SCORE, type Handle, type PreScorePlugin, type ScorePlugin } from '../framework/interface.js';
import { Status } from '../framework/status.js';
import { normalizedImageName, type NodeInfo, type PodInfo } from '../framework/types.js';

export const ImageLocalityName = 'ImageLocality';
const MB = 1024 * 1024;
/** below minThreshold the score is 0, so tiny images do not steer placement. */
const minThreshold = 23 * MB;
const maxContainerThreshold = 1000 * MB;

export class ImageLocality implements PreScorePlugin, ScorePlugin {
  readonly name = ImageLocalityName;
  constructor(private readonly handle: Handle) {}

  /** preScore skips pods none of whose images is on any node: every score would be 0. */
  preScore(_s: CycleState, pod: PodInfo): Status {
    // clusters whose nodes report no images (simulated ones) skip without normalizing names
    if (this.handle.snapshot.imageCount() === 0) return Status.skip();
    const spec = pod.pod.spec;
    for (const list of [spec?.initContainers, spec?.containers]) {
      for (const c of list ?? []) if (c.image && this.handle.snapshot.imageNumNodes(normalizedImageName(c.image)) > 0) return Status.success();
    }
    return Status.skip();
  }

  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    const total = this.handle.snapshot.nodeInfos().length;
    const spec = pod.pod.spec;
    let sum = 0;
    let n = 0;
    if (node.imageStates.size > 0 && total > 0) {
      for (const list of [spec?.initContainers, spec?.containers]) {
        for (const c of list ?? []) {
          n++;
          if (!c.image) continue;
          const st = node.imageStates.get(normalizedImageName(c.image));
          if (st) sum += Math.trunc((st.size * st.numNodes) / total);
        }
      }
    } else n = (spec?.initContainers?.length ?? 0) + (spec?.containers?.length ?? 0);
    return calculatePriority(sum, n);
  }
}

function calculatePriority(sum: number, numContainers: number): number {
  const max = maxContainerThreshold * numContainers;
  if (sum < minThreshold) sum = minThreshold;
  else if (sum > max) sum = max;
  if (max <= minThreshold) return 0;
  return Math.trunc((MAX_NODE_SCORE * (sum - minThreshold)) / (max - minThreshold));
}
