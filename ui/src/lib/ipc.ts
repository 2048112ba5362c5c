// Every call from the UI to Rust goes through this module, and only through
// `invoke` / `Channel` from @tauri-apps/api/core. A rejected call always
// rejects with an ErrorPayload (anything else is normalised to code "internal").
import { Channel, invoke } from "@tauri-apps/api/core";
import { toErrorPayload } from "./errors";
import type { AppInfo } from "./bindings/AppInfo";
import type { DiscoverRequest } from "./bindings/DiscoverRequest";
import type { Event as WizardEvent } from "./bindings/Event";
import type { Mode } from "./bindings/Mode";
import type { TenantReport } from "./bindings/TenantReport";

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toErrorPayload(e);
  }
}

export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>("app_info");
}

export function chooseMode(mode: Mode): Promise<AppInfo> {
  return call<AppInfo>("choose_mode", { mode });
}

export async function discoverTenant(
  request: DiscoverRequest,
  onEvent: (event: WizardEvent) => void,
): Promise<TenantReport> {
  let channel: Channel<WizardEvent>;
  try {
    channel = new Channel<WizardEvent>(onEvent);
  } catch (e) {
    throw toErrorPayload(e);
  }
  return call<TenantReport>("discover_tenant", { request, onEvent: channel });
}

export function diagnostics(): Promise<string> {
  return call<string>("diagnostics");
}

let uiReadySent = false;

/** Tells Rust once that the first step page is interactive (start-up benchmark). */
export async function uiReady(ms: number = performance.now()): Promise<void> {
  if (uiReadySent) return;
  uiReadySent = true;
  try {
    await call<null>("ui_ready", { ms });
  } catch {
    // Only a benchmark mark: never disturb the admin for it.
  }
}
