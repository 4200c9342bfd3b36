// Where HTTP deliveries go, resolved at delivery time (PORT may be set after
// the world is created): the configured base URL (WORKFLOW_AWS_BASE_URL),
// else the configured or PORT-given port on 127.0.0.1, else
// WORKFLOW_LOCAL_BASE_URL, the variable world-local and world-postgres read
// (the Workflow SDK's e2e suite for community worlds sets it).
import { runtimeBasePath } from '../../process-scope.js';

export interface BaseUrlConfig {
  baseUrl?: string;
  port?: number;
}

/** The other worlds' variable for the app's URL, read after WORKFLOW_AWS_BASE_URL and PORT. */
export const LOCAL_BASE_URL_ENV = 'WORKFLOW_LOCAL_BASE_URL';

export class BaseUrlError extends Error {
  override readonly name = 'BaseUrlError';
}

export function resolveDeliveryBaseUrl(config: BaseUrlConfig, env: Record<string, string | undefined>): string {
  if (config.baseUrl) return config.baseUrl;
  const port = config.port ?? (env.PORT ? Number(env.PORT) : undefined);
  if (port !== undefined && Number.isInteger(port) && port > 0 && port < 65536) {
    // The runtime records the app's base path here when it mounts the routes.
    return `http://127.0.0.1:${port}${runtimeBasePath()}`;
  }
  if (env[LOCAL_BASE_URL_ENV]) return env[LOCAL_BASE_URL_ENV];
  throw new BaseUrlError(
    `Cannot resolve where to deliver queue messages over HTTP: set WORKFLOW_AWS_BASE_URL, PORT or ${LOCAL_BASE_URL_ENV}, or use WORKFLOW_AWS_DELIVERY=in-process`,
  );
}
