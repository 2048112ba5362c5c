import type { AppInfo } from "./bindings/AppInfo";
import type { ErrorPayload } from "./bindings/ErrorPayload";
import * as ipc from "./ipc";

/** What the Tenant step found, for the steps after it (Sign-in prefills from it). */
export type FoundTenant = {
  tenant_id: string;
  /** The authority URL the tenant was found at. */
  authority: string;
  ca_file: string | null;
};

/** Application-wide state: what Rust told us at start and the chosen mode. */
class AppState {
  info = $state<AppInfo | null>(null);
  loadError = $state<ErrorPayload | null>(null);
  loading = $state(true);
  /** Set by the Tenant step when it finds a tenant; null until then. */
  tenant = $state<FoundTenant | null>(null);

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
