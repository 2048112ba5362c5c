// Test-only: the mocked Rust side of the Domains commands, with state: domains added, and how
// many of the zone's authoritative name servers return the TXT value. A test moves DNS along
// with window.__hsDns(domain, count).
import type { Domain } from "../../src/lib/bindings/Domain";
import type { DomainStatus } from "../../src/lib/bindings/DomainStatus";

export type DomainsScenario = {
  /** The tenant's domains at start. */
  domains: Domain[];
  /** The verification value every added domain gets. */
  txtValue: string;
  /** Authoritative name servers of every zone. */
  servers: number;
  /** domain_add rejects with this (e.g. role_missing). */
  addRejection?: unknown;
  /** domain_verify rejects with this even when DNS is ready (Graph's refusal). */
  verifyRejection?: unknown;
};

type DnsState = { have: number };

const GUARD = "Do not change MX or Autodiscover now: mail keeps flowing to the on-premises servers until the hybrid configuration is in place. These records are listed for later, as information only.";

export function domainsHandler(scenario: DomainsScenario | undefined) {
  const s: DomainsScenario = scenario ?? { domains: [], txtValue: "MS=ms00000000", servers: 2 };
  const domains: Domain[] = structuredClone(s.domains);
  const dns = new Map<string, DnsState>();
  (window as unknown as { __hsDns: (d: string, n: number) => void }).__hsDns = (d, n) => dns.set(d, { have: n });

  function status(id: string): DomainStatus {
    const tenant = domains.find((d) => d.id === id) ?? null;
    const parent = domains.find((d) => d.is_verified && id.endsWith(`.${d.id}`));
    const have = dns.get(id)?.have ?? 0;
    const unverified = tenant !== null && !tenant.is_verified;
    const rows = unverified
      ? [
          ...Array.from({ length: s.servers }, (_, i) => ({
            role: "authoritative",
            server: `ns${i + 1}.${id}`,
            address: `127.0.0.${i + 1}:5353`,
            values: i < have ? [s.txtValue] : [],
            ttl: i < have ? 3600 : null,
            answer_code: "NOERROR",
            has_value: i < have,
          })),
          { role: "resolver", server: "resolver", address: "127.0.0.1:5353", values: have > 0 ? [s.txtValue] : [], ttl: 3600, answer_code: "NOERROR", has_value: have > 0 },
        ]
      : [];
    return {
      domain: id,
      tenant,
      verified_through: parent ? parent.id : null,
      txt: unverified
        ? { name: id, host: "@", zone: id, value: s.txtValue, ttl: 3600, hints: ["Host or name: @", "Value: exactly, without quotes", "TTL: 3600 seconds (1 hour)"] }
        : null,
      dns: unverified ? { zone: id, expected: s.txtValue, rows, ready: have >= s.servers, findings: [] } : null,
      service_records: tenant
        ? [{ record_type: "Mx", label: id, ttl: 3600, is_optional: false, supported_service: "Email", text: null, mail_exchange: `${id.replace(/\./g, "-")}.mail.protection.outlook.com`, preference: 0, canonical_name: null }]
        : [],
      guard_reason: GUARD,
      findings: unverified && have < s.servers ? [{ code: have === 0 ? "txt_missing" : "servers_disagree", severity: "warning", message: have === 0 ? "No name server has the record yet." : "The name servers disagree.", evidence: [], remediation: null }] : [],
    };
  }

  return async (cmd: string, a: Record<string, unknown>): Promise<unknown> => {
    const id = String(a.domain ?? "").trim().toLowerCase();
    switch (cmd) {
      case "domains_list":
        return domains;
      case "domain_status":
        return status(id);
      case "domain_add": {
        if (s.addRejection !== undefined) throw s.addRejection;
        if (!domains.some((d) => d.id === id)) {
          const parent = domains.some((d) => d.is_verified && id.endsWith(`.${d.id}`));
          domains.push({ id, is_verified: parent, is_default: false, is_initial: false, is_root: !parent, authentication_type: "Managed", supported_services: [], availability_status: null });
        }
        return status(id);
      }
      case "domain_verify": {
        const st = status(id);
        if (!st.dns?.ready) throw { code: "dns_not_ready", message: `${id} was not sent for verification`, remediation: "domains.dns-not-ready" };
        if (s.verifyRejection !== undefined) throw s.verifyRejection;
        const d = domains.find((x) => x.id === id);
        if (d) d.is_verified = true;
        return status(id);
      }
      case "domain_publish_practice":
        dns.set(id, { have: s.servers });
        return null;
      default:
        throw { code: "unknown_command", message: `The mock has no command ${cmd}`, remediation: null };
    }
  };
}
