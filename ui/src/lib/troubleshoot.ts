import type { ErrorPayload } from "./bindings/ErrorPayload";
import type { Finding } from "./bindings/Finding";
import type { TroubleshootRequest } from "./bindings/TroubleshootRequest";

/** What the card asks the knowledge base about an error. */
export function requestForError(e: ErrorPayload): TroubleshootRequest {
  return { code: e.code, text: e.message, http_status: null, www_authenticate: null, remediation: e.remediation, checks: [] };
}

/** What the card asks about a finding: its message and evidence are the text. */
export function requestForFinding(f: Finding): TroubleshootRequest {
  const text = [f.message, ...f.evidence].join("\n");
  return { code: f.code, text, http_status: null, www_authenticate: null, remediation: f.remediation, checks: [] };
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
