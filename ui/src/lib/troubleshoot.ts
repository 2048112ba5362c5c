import type { ErrorPayload } from "./bindings/ErrorPayload";
import type { Finding } from "./bindings/Finding";
import type { TroubleshootRequest } from "./bindings/TroubleshootRequest";
import type { StepId } from "./steps";

/** What the card asks the knowledge base about an error. */
export function requestForError(e: ErrorPayload): TroubleshootRequest {
  return { code: e.code, text: e.message, http_status: null, www_authenticate: null, remediation: e.remediation, checks: [], mailbox_ids: [] };
}

/** What the card asks about a finding: its message and evidence are the text. */
export function requestForFinding(f: Finding): TroubleshootRequest {
  const text = [f.message, ...f.evidence].join("\n");
  return { code: f.code, text, http_status: null, www_authenticate: null, remediation: f.remediation, checks: [], mailbox_ids: [] };
}

export function causeLabel(status: string): string {
  switch (status) {
    case "confirmed":
      return "confirmed by a check";
    case "ruled_out":
      return "ruled out by the checks";
    default:
      return "not yet checked";
  }
}

export function checkLabel(outcome: string): string {
  switch (outcome) {
    case "passed":
      return "passed";
    case "failed":
      return "failed";
    default:
      return "not run";
  }
}

/**
 * The wizard step where a fix action (knowledge.toml `[[action]]`) is done, for the fix buttons
 * the current page cannot carry out itself; null when the action has no page.
 */
export function stepForAction(actionId: string): StepId | null {
  const pages: Record<string, StepId> = {
    "certificate.choose": "certificate",
    "certificate.rotate": "certificate",
    "certificate.upload-to-sp": "trust",
    "crm-script.generate": "crm-script",
    "profile.fix-tenant-id": "profile",
    "profile.set-ews-url": "profile",
    "profile.use-exchange-online-hybrid": "profile",
    "signin.sign-in-again": "signin",
    "tenant.reenter": "tenant",
  };
  return pages[actionId] ?? null;
}
