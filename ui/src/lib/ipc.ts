// Every call from the UI to Rust goes through this module, and only through
// `invoke` / `Channel` from @tauri-apps/api/core. A rejected call always
// rejects with an ErrorPayload (anything else is normalised to code "internal").
import { Channel, invoke } from "@tauri-apps/api/core";
import { toErrorPayload } from "./errors";
import type { AppInfo } from "./bindings/AppInfo";
import type { DiscoverRequest } from "./bindings/DiscoverRequest";
import type { Event as WizardEvent } from "./bindings/Event";
import type { Mode } from "./bindings/Mode";
import type { SignInReport } from "./bindings/SignInReport";
import type { SignInRequest } from "./bindings/SignInRequest";
import type { TenantReport } from "./bindings/TenantReport";
import type { Card } from "./bindings/Card";
import type { TroubleshootRequest } from "./bindings/TroubleshootRequest";

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

/** A Channel for a command's events; a failure to create it is an ErrorPayload too. */
function channelFor(onEvent: (event: WizardEvent) => void): Channel<WizardEvent> {
  try {
    return new Channel<WizardEvent>(onEvent);
  } catch (e) {
    throw toErrorPayload(e);
  }
}

export async function discoverTenant(
  request: DiscoverRequest,
  onEvent: (event: WizardEvent) => void,
): Promise<TenantReport> {
  const channel = channelFor(onEvent);
  return call<TenantReport>("discover_tenant", { request, onEvent: channel });
}

export type SignInMethod = "browser" | "device_code";

/**
 * Signs in through the system browser (PKCE, loopback redirect) or a device code.
 * The device-code flow sends a `device_code` event first; both resolve once the
 * admin has finished, and reject with code `cancelled` after `cancelSignIn`.
 */
export async function signIn(
  method: SignInMethod,
  request: SignInRequest,
  onEvent: (event: WizardEvent) => void,
): Promise<SignInReport> {
  const channel = channelFor(onEvent);
  const cmd = method === "browser" ? "sign_in_browser" : "sign_in_device_code";
  return call<SignInReport>(cmd, { request, onEvent: channel });
}

/** Cancels the pending sign-in, which then rejects with code `cancelled`. */
export function cancelSignIn(): Promise<null> {
  return call<null>("cancel_sign_in", {});
}

/** Who is signed in, or null when nobody is. */
export function whoami(): Promise<SignInReport | null> {
  return call<SignInReport | null>("whoami", {});
}

/** Signs out and deletes the refresh token from the keychain. */
export function signOut(): Promise<null> {
  return call<null>("sign_out", {});
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

/** The troubleshooting card for a failure, or null when the knowledge base does not know it. */
export function troubleshoot(request: TroubleshootRequest): Promise<Card | null> {
  return call<Card | null>("troubleshoot", { request });
}

// Domains (issue 4): the tenant's domains, one domain's state and DNS check, add, verify, and the
// practice tenant's "publish the record for me".
import type { Domain } from "./bindings/Domain";
import type { DomainStatus } from "./bindings/DomainStatus";

export function domainsList(): Promise<Domain[]> {
  return call<Domain[]>("domains_list", {});
}

export function domainStatus(domain: string): Promise<DomainStatus> {
  return call<DomainStatus>("domain_status", { domain });
}

export function domainAdd(domain: string): Promise<DomainStatus> {
  return call<DomainStatus>("domain_add", { domain });
}

/** Rejects with code `dns_not_ready` unless every authoritative server returns the value. */
export function domainVerify(domain: string): Promise<DomainStatus> {
  return call<DomainStatus>("domain_verify", { domain });
}

export function domainPublishPractice(domain: string): Promise<null> {
  return call<null>("domain_publish_practice", { domain });
}

// ---- Certificate, Entra trust and the CRM-server script (issue 6) ----
import type { CertificateSummary } from "./bindings/CertificateSummary";
import type { Change } from "./bindings/Change";
import type { CrmScriptInput } from "./bindings/CrmScriptInput";
import type { ExportReport } from "./bindings/ExportReport";
import type { ExportRequest } from "./bindings/ExportRequest";
import type { GenerateCertificateRequest } from "./bindings/GenerateCertificateRequest";
import type { ImportReport } from "./bindings/ImportReport";
import type { TrustPlanReport } from "./bindings/TrustPlanReport";

export function certGenerate(request: GenerateCertificateRequest): Promise<CertificateSummary> {
  return call<CertificateSummary>("cert_generate", { request });
}

export function certExport(request: ExportRequest): Promise<ExportReport> {
  return call<ExportReport>("cert_export", { request });
}

export function trustPlan(): Promise<TrustPlanReport> {
  return call<TrustPlanReport>("trust_plan");
}

export function trustApply(): Promise<Change[]> {
  return call<Change[]>("trust_apply");
}

export function crmScriptSave(input: CrmScriptInput): Promise<string> {
  return call<string>("crm_script_save", { input });
}

export function crmScriptImport(path: string): Promise<ImportReport> {
  return call<ImportReport>("crm_script_import", { path });
}

// ---- The run report of this session (issue 8) ----
import type { ReportRequest } from "./bindings/ReportRequest";
import type { ReportWritten } from "./bindings/ReportWritten";

export function reportExport(request: ReportRequest): Promise<ReportWritten> {
  return call<ReportWritten>("report_export", { request });
}

// ---- Email server profile and mailboxes (issues 7 and 8) ----
import type { CrmTarget } from "./bindings/CrmTarget";
import type { AlertGroup } from "./bindings/AlertGroup";
import type { MailboxFilter } from "./bindings/MailboxFilter";
import type { MailboxesRequest } from "./bindings/MailboxesRequest";
import type { MailboxesStatus } from "./bindings/MailboxesStatus";
import type { ProfileApplied } from "./bindings/ProfileApplied";
import type { ProfilePlan } from "./bindings/ProfilePlan";
import type { ProfileRequest } from "./bindings/ProfileRequest";

/** The practice organization in practice mode; null otherwise (the page asks for the address). */
export function crmTarget(): Promise<CrmTarget | null> {
  return call<CrmTarget | null>("crm_target");
}

export function profilePlan(request: ProfileRequest): Promise<ProfilePlan> {
  return call<ProfilePlan>("profile_plan", { request });
}

export function profileApply(request: ProfileRequest): Promise<ProfileApplied> {
  return call<ProfileApplied>("profile_apply", { request });
}

/** Progress events (done of total, requests at once, the time left) arrive on `onEvent`. */
export async function mailboxesRun(request: MailboxesRequest, onEvent: (event: WizardEvent) => void = () => {}): Promise<Change[]> {
  const channel = channelFor(onEvent);
  return call<Change[]>("mailboxes_run", { request, onEvent: channel });
}

/** One status read of the whole selection (never one request per mailbox). */
export function mailboxesStatus(target: CrmTarget, filter: MailboxFilter): Promise<MailboxesStatus> {
  return call<MailboxesStatus>("mailboxes_status", { target, filter });
}

/** The failed mailboxes' alerts, grouped by text and details (the largest group first). */
export function mailboxesAlerts(target: CrmTarget, ids: string[]): Promise<AlertGroup[]> {
  return call<AlertGroup[]>("mailboxes_alerts", { target, ids });
}
