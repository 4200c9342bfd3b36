// Where HTTP deliveries go, resolved at delivery time (PORT may be set after
// the world is created): the configured base URL, else the configured or
// PORT-given port on 127.0.0.1.
import { runtimeBasePath } from '../../process-scope.js';

export interface BaseUrlConfig {
  baseUrl?: string;
  port?: number;
}

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
  throw new BaseUrlError(
    'Cannot resolve where to deliver queue messages over HTTP: set WORKFLOW_AWS_BASE_URL or PORT, or use WORKFLOW_AWS_DELIVERY=in-process',
  );
}
