// The Domains page's logic, free of Svelte: polling backoff, the per-server agreement, labels.
import type { DnsView } from "./bindings/DnsView";
import type { Domain } from "./bindings/Domain";
import type { DomainStatus } from "./bindings/DomainStatus";

/** Polling while the admin edits DNS: 2 s, then ×1.5 each time, at most 30 s. */
export const POLL = { firstMs: 2000, factor: 1.5, maxMs: 30000 } as const;

/** The wait before check number `attempt + 1` (attempt counts from 0). */
export function nextDelay(attempt: number, poll: { firstMs: number; factor: number; maxMs: number } = POLL): number {
  const n = Math.max(0, Math.floor(attempt));
  const factor = Number.isFinite(poll.factor) && poll.factor >= 1 ? poll.factor : 1;
  return Math.min(poll.maxMs, Math.round(poll.firstMs * factor ** n));
}

/** How many authoritative name servers return the value, of how many. */
export function agreement(dns: DnsView | null | undefined): { have: number; total: number } {
  const auth = (dns?.rows ?? []).filter((r) => r.role === "authoritative");
  return { have: auth.filter((r) => r.has_value).length, total: auth.length };
}

export function agreementText(dns: DnsView | null | undefined): string {
  const { have, total } = agreement(dns);
  if (total === 0) return "No authoritative name server found for the domain yet.";
  if (dns?.ready) return `All ${total} authoritative name servers return the value: you can verify now.`;
  return `${have} of ${total} authoritative name servers return the value. Verify becomes available when all do.`;
}

export function stateLabel(d: Domain | null | undefined): string {
  if (!d) return "Not added";
  return d.is_verified ? "Verified" : "Not verified";
}

/** Verify is offered only for an added, unverified domain whose every authoritative server agrees. */
export function canVerify(s: DomainStatus | null, busy: boolean): boolean {
  return !busy && s !== null && s.tenant !== null && !s.tenant.is_verified && s.dns?.ready === true;
}

/** Keep polling DNS while the domain is added, unverified and not ready. */
export function shouldPoll(s: DomainStatus | null): boolean {
  return s !== null && s.tenant !== null && !s.tenant.is_verified && s.dns?.ready !== true;
}

/** What the admin typed, as a domain (trimmed, lower case, no trailing dot); "" when empty. */
export function cleanDomain(input: string): string {
  return input.trim().replace(/\.$/, "").toLowerCase();
}
