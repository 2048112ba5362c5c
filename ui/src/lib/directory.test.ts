import { describe, expect, it } from "vitest";
import { EMPTY_FORM, canScan, toScanRequest } from "./directory";

describe("directory form", () => {
  it("needs a path for files and every bind field for LDAP", () => {
    expect(canScan(EMPTY_FORM)).toBe(false);
    expect(canScan({ ...EMPTY_FORM, path: "/tmp/export.ldf" })).toBe(true);
    const ldap = { ...EMPTY_FORM, kind: "ldap" as const, url: "ldaps://dc1:3269", bindDn: "svc@contoso.local", base: "DC=contoso,DC=local" };
    expect(canScan(ldap)).toBe(false);
    expect(canScan({ ...ldap, password: "pw" })).toBe(true);
  });

  it("builds the request, empty optional fields as null", () => {
    expect(toScanRequest({ ...EMPTY_FORM, kind: "csv", path: " /x.csv " })).toEqual({ source: { kind: "csv", path: "/x.csv" }, upn_suffix: null, tenant_domains: null });
    const r = toScanRequest({ ...EMPTY_FORM, kind: "ldap", url: "ldaps://dc1", bindDn: "svc", password: " p ", base: "DC=x", upnSuffix: "contoso.com" });
    expect(r.source).toEqual({ kind: "ldap", url: "ldaps://dc1", bind_dn: "svc", password: " p ", base: "DC=x", ca_file: null });
    expect(r.upn_suffix).toBe("contoso.com");
  });
});
