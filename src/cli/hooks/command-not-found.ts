// A mistyped command: @oclif/plugin-not-found asks "Did you mean …?" in a
// terminal (and runs the answer); without one (scripts, CI) it only fails
// with exit 127, so the nearest command is named here first.
import { toConfiguredId, type Hook } from '@oclif/core';
import pluginNotFound from '@oclif/plugin-not-found';
import { nearestKey } from '../../config/spec-names.js';

const hook: Hook<'command_not_found'> = async function (options) {
  try {
    return await (pluginNotFound as Hook<'command_not_found'>).call(this, options);
  } catch (error) {
    if (process.stdin.isTTY !== true) {
      const ids = options.config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases]);
      const nearest = nearestKey(options.id, ids);
      if (nearest) this.warn(`Did you mean \`${options.config.bin} ${toConfiguredId(nearest, options.config)}\`?`);
    }
    throw error;
  }
};

export default hook;
