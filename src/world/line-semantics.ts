// How each Workflow line's logs are replayed (verify): the 4.x line's spec
// version, or the 5 facade's request semantics (world-v5/semantics.ts).
import type { WorldConfig } from '../config/world-config.js';
import type { FoldSemantics } from '../domain/log-fold.js';
import { WORLD_SPEC_VERSION } from '../domain/spec-version.js';
import type { WorkflowLine } from '../domain/workflow-line.js';
import { SPEC_VERSION_SEALED_LOG, SPEC_VERSION_SLOT_IDENTITY, v5Semantics } from '../world-v5/semantics.js';

export function foldSemanticsOfLine(line: WorkflowLine, config: Pick<WorldConfig, 'v5SealedLog'>): FoldSemantics {
  if (line === '4') return WORLD_SPEC_VERSION;
  const { worldSpecVersion, opaqueErrors, lazyStepStart } = v5Semantics(config.v5SealedLog ? SPEC_VERSION_SEALED_LOG : SPEC_VERSION_SLOT_IDENTITY);
  return { worldSpecVersion, opaqueErrors, lazyStepStart };
}
