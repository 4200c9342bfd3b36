// The memory adapters create what they hold on first use: nothing can be missing.
import type { ProbeResult, ResourceProbe } from '../../ports/resource-probe.js';

export class MemoryResourceProbe implements ResourceProbe {
  async probe(): Promise<ProbeResult[]> {
    return [];
  }
}
