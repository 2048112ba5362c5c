// IPC calls of the readiness steps (Directory, Connectivity), through the one
// `invoke` wrapper rules of ipc.ts: a rejection is always an ErrorPayload.
import { invoke } from "@tauri-apps/api/core";
import { toErrorPayload } from "./errors";
import type { DirectoryScanRequest } from "./bindings/DirectoryScanRequest";
import type { DirectoryScanResult } from "./bindings/DirectoryScanResult";
import type { ProbeNode } from "./bindings/ProbeNode";
import type { ProbeRequest } from "./bindings/ProbeRequest";

async function call<T>(cmd: string, args: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toErrorPayload(e);
  }
}

export function directoryScan(request: DirectoryScanRequest): Promise<DirectoryScanResult> {
  return call<DirectoryScanResult>("directory_scan", { request });
}

export function probeConnectivity(request: ProbeRequest): Promise<ProbeNode> {
  return call<ProbeNode>("probe_connectivity", { request });
}
