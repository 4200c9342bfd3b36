/** `.well-known/workflow/v1`, relative to an app directory. */
export declare const BUNDLE_DIR: string;
/** Builds the app's workflows with `wf build` unless the build is current; true when it built. */
export declare function ensureWorkflowsBuilt(appDir: string, options?: { timeoutMs?: number; workflowDir?: string }): Promise<boolean>;
