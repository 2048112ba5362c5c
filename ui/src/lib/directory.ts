// The Directory readiness step's form → request.
import type { DirectoryScanRequest } from "./bindings/DirectoryScanRequest";

export type SourceKind = "ldif" | "csv" | "ldap";

export type DirectoryForm = {
  kind: SourceKind;
  path: string;
  url: string;
  bindDn: string;
  password: string;
  base: string;
  caFile: string;
  upnSuffix: string;
};

export const EMPTY_FORM: DirectoryForm = { kind: "ldif", path: "", url: "", bindDn: "", password: "", base: "", caFile: "", upnSuffix: "" };

/** Whether the form has what its source needs. */
export function canScan(f: DirectoryForm): boolean {
  if (f.kind === "ldap") return [f.url, f.bindDn, f.password, f.base].every((v) => v.trim() !== "");
  return f.path.trim() !== "";
}

export function toScanRequest(f: DirectoryForm): DirectoryScanRequest {
  const source: DirectoryScanRequest["source"] =
    f.kind === "ldap"
      ? { kind: "ldap", url: f.url.trim(), bind_dn: f.bindDn.trim(), password: f.password, base: f.base.trim(), ca_file: f.caFile.trim() || null }
      : { kind: f.kind, path: f.path.trim() };
  return { source, upn_suffix: f.upnSuffix.trim() || null, tenant_domains: null };
}

export const STATE_TEXT: Record<string, string> = {
  verified: "Verified",
  unverified: "Added, not verified: verify it in the Domains step",
  not_added: "Not added: add this domain in the Domains step",
  non_routable: "Non-routable: change these users' UPN suffix",
};
