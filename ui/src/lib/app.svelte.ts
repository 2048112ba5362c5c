import type { AppInfo } from "./bindings/AppInfo";
import type { ErrorPayload } from "./bindings/ErrorPayload";
import * as ipc from "./ipc";

/** Application-wide state: what Rust told us at start and the chosen mode. */
class AppState {
  info = $state<AppInfo | null>(null);
  loadError = $state<ErrorPayload | null>(null);
  loading = $state(true);

  async load(): Promise<void> {
    this.loading = true;
    this.loadError = null;
    try {
      this.info = await ipc.appInfo();
    } catch (e) {
      this.loadError = e as ErrorPayload;
    } finally {
      this.loading = false;
    }
  }
}

export const app = new AppState();
