#!/usr/bin/env node
// aws-workflow: commands are compiled to dist/cli/commands (see "oclif" in package.json).
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
