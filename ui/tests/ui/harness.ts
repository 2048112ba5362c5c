// Test-only: the mocked Rust side of the wizard's IPC, built into an IIFE
// (tests/ui/.harness/harness.js) that Playwright injects before the app loads.
// It uses Tauri's own mockIPC, which only sets window.__TAURI_INTERNALS__,
// so the built app under test is byte-for-byte the one Tauri embeds.
import { mockIPC } from "@tauri-apps/api/mocks";
import type { AppInfo } from "../../src/lib/bindings/AppInfo";
import type { Event as WizardEvent } from "../../src/lib/bindings/Event";
import type { PracticeInfo } from "../../src/lib/bindings/PracticeInfo";
import type { TenantReport } from "../../src/lib/bindings/TenantReport";

export type Scenario = {
  /** What app_info returns (mode null = first start). */
  appInfo: AppInfo;
  /** What choose_mode("practice") fills in. */
  practice?: PracticeInfo;
  /** discover_tenant results, keyed by lower-case input. */
  tenants?: Record<string, TenantReport>;
  /** discover_tenant rejections, keyed by lower-case input (any value: ErrorPayload or not). */
  rejections?: Record<string, unknown>;
  /** Events sent through the Channel before discover_tenant answers. */
  events?: WizardEvent[];
  /** discover_tenant waits for window.__hsRelease() before answering. */
  hold?: boolean;
  diagnostics?: string;
  /** diagnostics rejects with this value instead. */
  diagnosticsError?: unknown;
};

export type Call = { cmd: string; args: unknown };

type InternalsWindow = Window & {
  __hsCalls: Call[];
  __hsRelease?: () => void;
  __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void };
};

export function install(scenario: Scenario): void {
  const w = window as unknown as InternalsWindow;
  w.__hsCalls = [];
  let info: AppInfo = structuredClone(scenario.appInfo);

  mockIPC(async (cmd, args) => {
    // Channels serialise to "__CHANNEL__:<id>", as they do on the wire.
    w.__hsCalls.push({ cmd, args: args === undefined ? null : JSON.parse(JSON.stringify(args)) });
    const a = (args ?? {}) as Record<string, unknown>;
    switch (cmd) {
      case "app_info":
        return info;
      case "choose_mode": {
        const mode = a.mode as AppInfo["mode"];
        info = { ...info, mode, practice: mode === "practice" ? (scenario.practice ?? null) : null };
        return info;
      }
      case "discover_tenant": {
        const request = a.request as { input: string };
        const channel = a.onEvent as { id: number };
        const events = scenario.events ?? [];
        // Send as Rust does: { index, message } per event, then { index, end }.
        events.forEach((message, index) => w.__TAURI_INTERNALS__.runCallback(channel.id, { index, message }));
        w.__TAURI_INTERNALS__.runCallback(channel.id, { index: events.length, end: true });
        if (scenario.hold) await new Promise<void>((resolve) => (w.__hsRelease = resolve));
        const key = request.input.toLowerCase();
        if (scenario.rejections && key in scenario.rejections) throw scenario.rejections[key];
        const found = scenario.tenants?.[key];
        if (found) return found;
        throw {
          code: "tenant_not_found",
          message: `No Microsoft 365 tenant found for ${request.input}: AADSTS90002`,
          remediation: "tenant.check-domain",
        };
      }
      case "diagnostics":
        if (scenario.diagnosticsError !== undefined) throw scenario.diagnosticsError;
        return scenario.diagnostics ?? "hybridsync diagnostics";
      case "ui_ready":
        return null;
      default:
        throw { code: "unknown_command", message: `The mock has no command ${cmd}`, remediation: null };
    }
  });
}

// Init scripts may be wrapped in a function by Playwright: publish explicitly.
(window as unknown as { hsMock: { install: typeof install } }).hsMock = { install };
