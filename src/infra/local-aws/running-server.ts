// A local emulator listening on 127.0.0.1.
export interface RunningServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  /** Closes the server and its open connections; calling it again is harmless. */
  stop(): Promise<void>;
}
