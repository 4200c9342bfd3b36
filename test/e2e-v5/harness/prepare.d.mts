/** test/e2e-v5, the 5 line's installation. */
export declare const V5_DIR: string;
/** test/e2e-v5/app, the fixture workflows built with workflow@5. */
export declare const V5_APP: string;
/** npm ci (when the lock file changed), the fixture copy and the 5 build; returns the app dir. */
export declare function prepareV5App(options?: { log?: (line: string) => void }): Promise<string>;
