// The one home of process-wide state, and why there is any: the workflow
// runtime builds several World instances in one process (one at import time for
// the routes' handlers, another from getWorld() for the consumer, more in
// tools), and a bundled app may carry a second copy of this package. Instances
// of one installation must share what one process knows, as separate processes
// share AWS: the runtime's handlers, sends and deliveries in flight, what this
// process wrote (caches), the in-memory adapters' state, the private key of
// unsigned deliveries, the per-run write queue. All of it is kept in plain maps
// under one globalThis symbol so copies of this module agree, and reached
// through the ProcessScope, whose container is the parent of every
// installation's container (world/compose.ts). Nothing else in src/ touches
// globalThis (test/unit/architecture.test.ts).
import 'reflect-metadata';
import { Container } from 'inversify';

/** A service identifier that carries the type of what it resolves to. */
export type Token<T> = symbol & { readonly __resolvesTo?: T };

export function token<T>(name: string): Token<T> {
  return Symbol.for(`@workflow/world-aws/${name}`) as Token<T>;
}

/** `container.get`, typed by the token: the only place a type is asserted on a resolved value. */
export function resolve<T>(container: Container, id: Token<T>): T {
  return container.get<T>(id);
}

/**
 * What the copies of this module share: plain maps only, because a bundle's
 * second copy has its own classes (an inversify Container from one copy cannot
 * be the parent of another copy's).
 */
interface SharedState {
  process: Map<symbol, unknown>;
  installations: Map<symbol, Map<string, unknown>>;
}

export class ProcessScope {
  /** This module copy's parent of every installation's container: the process-wide values, bound on first use. */
  readonly container = new Container({ defaultScope: 'Singleton' });

  constructor(private readonly state: SharedState = { process: new Map(), installations: new Map() }) {}

  /** The process-wide value of `id`, created on first use. */
  shared<T>(id: Token<T>, create: () => T): T {
    if (!this.state.process.has(id)) this.state.process.set(id, create());
    if (!this.container.isBound(id)) this.container.bind(id).toDynamicValue(() => this.state.process.get(id) as T);
    return resolve(this.container, id);
  }

  /** The value of `id` for the installation `key`, created on first use. */
  ofInstallation<T>(id: Token<T>, key: string, create: () => T): T {
    let values = this.state.installations.get(id);
    if (!values) this.state.installations.set(id, (values = new Map()));
    if (!values.has(key)) values.set(key, create());
    return values.get(key) as T;
  }

  /** Forgets every installation's value of `id` (tests start fresh installations). */
  forget(id: Token<unknown>): void {
    this.state.installations.delete(id);
  }
}

const STATE = Symbol.for('@workflow/world-aws/process-state');
let scope: ProcessScope | undefined;

/** This process's scope; its state is shared by every copy of this module. */
export function processScope(): ProcessScope {
  const holder = globalThis as { [STATE]?: SharedState };
  return (scope ??= new ProcessScope((holder[STATE] ??= { process: new Map(), installations: new Map() })));
}

const RUNTIME_BASE_PATH = Symbol.for('@workflow/core/basePath');

/** The app's base path, which the workflow runtime records on globalThis when it mounts the routes. */
export function runtimeBasePath(): string {
  return (globalThis as { [RUNTIME_BASE_PATH]?: string })[RUNTIME_BASE_PATH] ?? '';
}
