import { describe, expect, it } from "vitest";
import type { DnsView } from "./bindings/DnsView";
import type { DomainStatus } from "./bindings/DomainStatus";
import { agreement, agreementText, canVerify, cleanDomain, nextDelay, shouldPoll, stateLabel } from "./domains";

const row = (role: string, has_value: boolean) => ({ role, server: "ns", address: null, values: [], ttl: null, answer_code: "NOERROR", has_value });
const dns = (ready: boolean, flags: boolean[]): DnsView => ({
  zone: "northwindtraders.com",
  expected: "MS=ms12345678",
  rows: [...flags.map((f) => row("authoritative", f)), row("resolver", true)],
  ready,
  findings: [],
});
const status = (verified: boolean | null, d: DnsView | null): DomainStatus => ({
  domain: "northwindtraders.com",
  tenant: verified === null ? null : { id: "northwindtraders.com", is_verified: verified, is_default: false, is_initial: false, is_root: true, authentication_type: "Managed", supported_services: [], availability_status: null },
  verified_through: null,
  txt: null,
  dns: d,
  service_records: [],
  guard_reason: "",
  findings: [],
});

describe("domains", () => {
  it("backs off by 1.5 up to 30 s", () => {
    expect([0, 1, 2, 3].map((n) => nextDelay(n))).toEqual([2000, 3000, 4500, 6750]);
    expect(nextDelay(50)).toBe(30000);
    expect(nextDelay(3, { firstMs: 100, factor: 0.5, maxMs: 1000 })).toBe(100);
  });

  it("counts only authoritative servers and says when verify becomes available", () => {
    expect(agreement(dns(false, [true, false]))).toEqual({ have: 1, total: 2 });
    expect(agreementText(dns(false, [true, false]))).toContain("1 of 2");
    expect(agreementText(dns(true, [true, true]))).toContain("All 2");
    expect(agreementText(null)).toContain("No authoritative");
  });

  it("offers verify only for an added, unverified, ready domain, and polls until then", () => {
    expect(canVerify(status(false, dns(true, [true, true])), false)).toBe(true);
    expect(canVerify(status(false, dns(true, [true, true])), true)).toBe(false);
    expect(canVerify(status(false, dns(false, [true, false])), false)).toBe(false);
    expect(canVerify(status(true, null), false)).toBe(false);
    expect(canVerify(status(null, null), false)).toBe(false);
    expect(shouldPoll(status(false, dns(false, [false, false])))).toBe(true);
    expect(shouldPoll(status(false, dns(true, [true, true])))).toBe(false);
    expect(shouldPoll(status(true, null))).toBe(false);
    expect(stateLabel(null)).toBe("Not added");
  });

  it("cleans what the admin typed", () => {
    expect(cleanDomain("  Contoso.COM. ")).toBe("contoso.com");
  });
});
