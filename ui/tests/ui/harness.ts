// Test-only: the mocked Rust side of the wizard's IPC, built into an IIFE
// (tests/ui/.harness/harness.js) that Playwright injects before the app loads.
// It uses Tauri's own mockIPC, which only sets window.__TAURI_INTERNALS__,
// so the built app under test is byte-for-byte the one Tauri embeds.
import { mockIPC } from "@tauri-apps/api/mocks";
import type { AppInfo } from "../../src/lib/bindings/AppInfo";
import type { Event as WizardEvent } from "../../src/lib/bindings/Event";
import type { PracticeInfo } from "../../src/lib/bindings/PracticeInfo";
import type { SignInReport } from "../../src/lib/bindings/SignInReport";
import type { TenantReport } from "../../src/lib/bindings/TenantReport";
import type { Card } from "../../src/lib/bindings/Card";
import { directoryFinding } from "./directory-rows";
import { domainsHandler, type DomainsScenario } from "./domains-mock";
import { mailboxesHandler, type MailboxesScenario } from "./mailboxes-mock";

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
  /** Who whoami says is signed in when the app starts (absent or null: nobody). */
  signedIn?: SignInReport | null;
  /** whoami rejects with this value instead. */
  whoamiError?: unknown;
  /** What sign_in_browser / sign_in_device_code resolve with once the test calls window.__hsFinishSignIn(). */
  signIn?: SignInReport;
  /** They reject with this value instead (e.g. code signin_declined) once __hsFinishSignIn() is called. */
  signInRejection?: unknown;
  /** The device_code event sign_in_device_code sends first (a made-up one when absent). */
  deviceCode?: DeviceCodeEvent;
  /** Events both sign-in commands send after that (progress, log). */
  signInEvents?: WizardEvent[];
  /** sign_out rejects with this value instead. */
  signOutError?: unknown;
  /** troubleshoot answers, keyed by the request's code (then its remediation id); null otherwise. */
  cards?: Record<string, Card>;
  /** What report_export answers (any value: a ReportWritten, or an error to reject with under `error`). */
  report?: { written?: unknown; error?: unknown };
  /** directory_scan answers with this many generated findings (see directoryFinding). */
  directoryRows?: number;
  /** directory_scan rejects with this value instead. */
  directoryError?: unknown;
  /** What probe_connectivity answers. */
  probeTree?: unknown;
  /** The Domains commands' state (issue 4). */
  domains?: DomainsScenario;
  /** Certificate, trust and CRM-script commands (issue 6): each answers with its entry; an `error` entry rejects. */
  trust?: Record<string, unknown>;
  /** The Email server profile and Mailboxes commands (issues 7 and 8). */
  mailboxes?: MailboxesScenario;
};

/**
 * The device_code event as it crosses the IPC: serde writes the u64 `expires_in_secs` as a
 * JSON number (the ts-rs binding says bigint, which JSON cannot carry).
 */
export type DeviceCodeEvent = Omit<Extract<WizardEvent, { kind: "device_code" }>, "expires_in_secs"> & { expires_in_secs: number };

const DEFAULT_DEVICE_CODE: DeviceCodeEvent = {
  kind: "device_code",
  user_code: "FGH7KLMN",
  verification_uri: "https://microsoft.com/devicelogin",
  message: "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code FGH7KLMN to authenticate.",
  expires_in_secs: 900,
};

export type Call = { cmd: string; args: unknown };

type InternalsWindow = Window & {
  __hsCalls: Call[];
  __hsRelease?: () => void;
  /** Ends the pending sign-in: resolves with scenario.signIn or rejects with scenario.signInRejection. */
  __hsFinishSignIn?: () => void;
  __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void };
};

export function install(scenario: Scenario): void {
  const w = window as unknown as InternalsWindow;
  w.__hsCalls = [];
  let info: AppInfo = structuredClone(scenario.appInfo);
  let signedIn: SignInReport | null = scenario.signedIn ?? null;
  // The pending sign-in's way out when cancel_sign_in is called.
  let cancelPending: (() => void) | null = null;
  const domainsCommand = domainsHandler(scenario.domains);
  const mailboxesCommand = mailboxesHandler(scenario.mailboxes);

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
      case "sign_in_browser":
      case "sign_in_device_code": {
        const request = a.request as { client_id: string };
        const channel = a.onEvent as { id: number };
        if (request.client_id.trim() === "") {
          throw { code: "invalid_input", message: "No client ID: register an app and enter its Application (client) ID.", remediation: "signin.client-id" };
        }
        if (cancelPending) throw { code: "busy", message: "A sign-in is already waiting.", remediation: null };
        let index = 0;
        const send = (message: WizardEvent | DeviceCodeEvent) => w.__TAURI_INTERNALS__.runCallback(channel.id, { index: index++, message });
        if (cmd === "sign_in_device_code") send(scenario.deviceCode ?? DEFAULT_DEVICE_CODE);
        (scenario.signInEvents ?? []).forEach(send);
        try {
          await new Promise<void>((resolve, reject) => {
            w.__hsFinishSignIn = resolve;
            cancelPending = () => reject({ code: "cancelled", message: "The sign-in was cancelled.", remediation: null });
          });
        } finally {
          cancelPending = null;
          w.__hsFinishSignIn = undefined;
          w.__TAURI_INTERNALS__.runCallback(channel.id, { index, end: true });
        }
        if (scenario.signInRejection !== undefined) throw scenario.signInRejection;
        if (!scenario.signIn) throw { code: "internal", message: "The mock has no signIn report", remediation: null };
        signedIn = scenario.signIn;
        return signedIn;
      }
      case "cancel_sign_in":
        cancelPending?.();
        return null;
      case "whoami":
        if (scenario.whoamiError !== undefined) throw scenario.whoamiError;
        return signedIn;
      case "sign_out":
        if (scenario.signOutError !== undefined) throw scenario.signOutError;
        signedIn = null;
        return null;
      case "diagnostics":
        if (scenario.diagnosticsError !== undefined) throw scenario.diagnosticsError;
        return scenario.diagnostics ?? "hybridsync diagnostics";
      case "ui_ready":
        return null;
      case "report_export": {
        if (scenario.report?.error !== undefined) throw scenario.report.error;
        const format = ((a.request ?? {}) as { format?: string }).format ?? "html";
        return scenario.report?.written ?? { path: `/home/admin/Documents/hybridsync/hybridsync-report.${format}`, sha256: "ab".repeat(32), bytes: 1234, steps: 2, changes: 3 };
      }
      case "troubleshoot": {
        const r = (a.request ?? {}) as { code?: string | null; remediation?: string | null };
        const cards = scenario.cards ?? {};
        return (r.code && cards[r.code]) || (r.remediation && cards[r.remediation]) || null;
      }
      case "directory_scan": {
        if (scenario.directoryError !== undefined) throw scenario.directoryError;
        const count = scenario.directoryRows ?? 0;
        const findings = Array.from({ length: count }, (_, i) => directoryFinding(i));
        return {
          report: { findings, objects: count, skipped: 3, upn_suffixes: [{ suffix: "contoso.local", count }] },
          suffix_table: [{ suffix: "contoso.local", count, state: "non_routable" }],
          ldap: null,
        };
      }
      case "probe_connectivity":
        return scenario.probeTree ?? null;
      case "domains_list":
      case "domain_status":
      case "domain_add":
      case "domain_verify":
      case "domain_publish_practice":
        return domainsCommand(cmd, a);
      case "cert_generate":
      case "cert_export":
      case "trust_plan":
      case "trust_apply":
      case "crm_script_save":
      case "crm_script_import": {
        // Keyed by command, or "<command>:<format|path>" for the per-file answers.
        const key = cmd === "cert_export" ? `${cmd}:${(a.request as { format: string }).format}` : cmd === "crm_script_import" ? `${cmd}:${a.path as string}` : cmd;
        const answer = scenario.trust?.[key] ?? scenario.trust?.[cmd];
        if (answer === undefined) throw { code: "unknown_command", message: `The mock has no answer for ${key}`, remediation: null };
        if (typeof answer === "object" && answer !== null && "code" in answer && "message" in answer) throw answer;
        return answer;
      }
      case "crm_target":
      case "profile_plan":
      case "profile_apply":
      case "mailboxes_run":
      case "mailboxes_status":
      case "mailboxes_alerts":
        return mailboxesCommand(cmd, a);
      default:
        throw { code: "unknown_command", message: `The mock has no command ${cmd}`, remediation: null };
    }
  });
}

// Init scripts may be wrapped in a function by Playwright: publish explicitly.
(window as unknown as { hsMock: { install: typeof install } }).hsMock = { install };
