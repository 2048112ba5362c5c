/** The wizard's steps, in order. Tenant and Sign-in work in this release. */
export type StepId =
  | "tenant"
  | "signin"
  | "domains"
  | "directory"
  | "connectivity"
  | "certificate"
  | "trust"
  | "crm-script"
  | "profile"
  | "mailboxes"
  | "report";

export type StepDef = { id: StepId; title: string; available: boolean };

export const STEPS: readonly StepDef[] = [
  { id: "tenant", title: "Tenant", available: true },
  { id: "signin", title: "Sign-in", available: true },
  { id: "domains", title: "Domains", available: true },
  { id: "directory", title: "Directory readiness", available: true },
  { id: "connectivity", title: "Connectivity", available: true },
  { id: "certificate", title: "Certificate", available: true },
  { id: "trust", title: "Entra trust", available: true },
  { id: "crm-script", title: "CRM server script", available: true },
  { id: "profile", title: "Email server profile", available: true },
  { id: "mailboxes", title: "Mailboxes", available: true },
  { id: "report", title: "Report", available: true },
];

/**
 * Where focus goes in the step list for a key press, or null when the key is
 * not a navigation key. Focus visits every step (unavailable ones too, so
 * their "not available yet" note is heard) and stops at the ends.
 */
export function focusTarget(key: string, index: number, count: number): number | null {
  if (count <= 0) return null;
  switch (key) {
    case "ArrowDown":
      return Math.min(index + 1, count - 1);
    case "ArrowUp":
      return Math.max(index - 1, 0);
    case "Home":
      return 0;
    case "End":
      return count - 1;
    default:
      return null;
  }
}

/** Whether a step can be opened (Enter, Space or click). */
export function canOpen(steps: readonly StepDef[], id: string): boolean {
  return steps.some((s) => s.id === id && s.available);
}

/** The step to show after a request to open `id`: unchanged when it cannot be opened. */
export function openStep(steps: readonly StepDef[], current: StepId, id: string): StepId {
  return canOpen(steps, id) ? (id as StepId) : current;
}
