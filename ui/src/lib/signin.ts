import type { FoundTenant } from "./app.svelte";
import type { AppInfo } from "./bindings/AppInfo";
import type { ErrorPayload } from "./bindings/ErrorPayload";
import type { RoleInfo } from "./bindings/RoleInfo";
import type { SignInRequest } from "./bindings/SignInRequest";
import { CUSTOM, authorityOptions, authorityUrl, type AuthorityOption } from "./tenant";

/** The tenant to sign in to when nothing better is known: any work or school account's home tenant. */
export const ORGANIZATIONS = "organizations";

/** Built-in directory roles as Graph names them (`roleTemplateId`), as the Rust side checks them. */
export const GLOBAL_ADMINISTRATOR = { name: "Global Administrator", templateId: "62e90394-69f5-4237-9190-012177145e10" };
export const DOMAIN_NAME_ADMINISTRATOR = { name: "Domain Name Administrator", templateId: "8329153b-31d0-4727-b945-745eb3bc5f31" };

/** What the admin's own app registration needs (the help text under the client ID field). */
export const APP_REGISTRATION = {
  platform: "Mobile and desktop applications",
  redirectUri: "http://localhost",
  permissions: [
    "User.Read",
    "RoleManagement.Read.Directory",
    "Domain.ReadWrite.All",
    "Application.ReadWrite.All",
    "Organization.Read.All",
    "User.Read.All",
  ],
} as const;

export type SignInForm = {
  tenant: string;
  clientId: string;
  authority: string;
  customUrl: string;
  caFile: string;
};

function practice(info: AppInfo) {
  return info.mode === "practice" ? info.practice : null;
}

function sameUrl(a: string, b: string): boolean {
  const norm = (u: string) => u.trim().replace(/\/+$/, "").toLowerCase();
  return norm(a) === norm(b);
}

/** The tenant field's start: the Tenant step's find, else the practice tenant's domain, else "organizations". */
export function defaultTenant(info: AppInfo, found: FoundTenant | null): string {
  if (found?.tenant_id) return found.tenant_id;
  const p = practice(info);
  if (p?.tenant_domain) return p.tenant_domain;
  return ORGANIZATIONS;
}

/** The client ID field's start: the practice tenant's, else the configured one (HYBRIDSYNC_CLIENT_ID), else empty. */
export function defaultClientId(info: AppInfo): string {
  const p = practice(info);
  if (p?.client_id) return p.client_id;
  return info.client_id ?? "";
}

/**
 * The form's starting values. The cloud and CA file follow the tenant the Tenant step
 * found (so a US Government tenant is signed in to there); otherwise they start as the
 * Tenant step's do (practice values in practice mode).
 */
export function initialSignInForm(info: AppInfo, found: FoundTenant | null): SignInForm {
  const options = authorityOptions(info);
  const p = practice(info);
  let authority = options[0]?.value ?? CUSTOM;
  let customUrl = "";
  let caFile = p ? p.ca_file : "";
  if (found?.authority) {
    const match = options.find((o) => o.value !== CUSTOM && sameUrl(o.url, found.authority));
    if (match) {
      authority = match.value;
    } else {
      authority = CUSTOM;
      customUrl = found.authority;
    }
    caFile = found.ca_file ?? "";
  }
  return { tenant: defaultTenant(info, found), clientId: defaultClientId(info), authority, customUrl, caFile };
}

export function canSignIn(form: SignInForm, options: AuthorityOption[], busy: boolean): boolean {
  return !busy && form.tenant.trim() !== "" && form.clientId.trim() !== "" && authorityUrl(form, options) !== "";
}

export function toSignInRequest(form: SignInForm, options: AuthorityOption[]): SignInRequest {
  const ca = form.caFile.trim();
  return {
    authority: authorityUrl(form, options),
    tenant: form.tenant.trim(),
    client_id: form.clientId.trim(),
    ca_file: ca === "" ? null : ca,
  };
}

/**
 * Seconds left of a device code issued at `issuedAt` (ms) for `expiresInSecs`, at `now` (ms); never negative.
 * ts-rs types the u64 `expires_in_secs` as bigint; over IPC it is a JSON number: both are read.
 */
export function secondsLeft(expiresInSecs: number | bigint, issuedAt: number, now: number): number {
  const elapsed = Math.floor(Math.max(0, now - issuedAt) / 1000);
  return Math.max(0, Number(expiresInSecs) - elapsed);
}

/** "14:05" for minutes and seconds; "1:02:03" past an hour. */
export function formatTimeLeft(secs: number): string {
  const s = Math.max(0, Math.floor(secs));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const p = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${p(m)}:${p(s % 60)}` : `${m}:${p(s % 60)}`;
}

function holds(roles: RoleInfo[], role: { name: string; templateId: string }): boolean {
  return roles.some((r) => r.role_template_id.toLowerCase() === role.templateId);
}

export type RoleNote = { level: "warning" | "info"; text: string };

/** What the roles mean for the later steps: a warning when none of them is enough, null when all is well. */
export function roleNote(roles: RoleInfo[]): RoleNote | null {
  const ga = holds(roles, GLOBAL_ADMINISTRATOR);
  const dna = holds(roles, DOMAIN_NAME_ADMINISTRATOR);
  if (ga) return null;
  if (dna) {
    return {
      level: "info",
      text: "Domain Name Administrator is enough for the Domains step; the Entra trust step needs Global Administrator.",
    };
  }
  const has = roles.length === 0 ? "This account has no directory role" : "None of this account's directory roles is enough";
  return {
    level: "warning",
    text: `${has}: later steps need Global Administrator or Domain Name Administrator. Sign out and sign in with an account that holds one of them, or ask a Global Administrator to assign it.`,
  };
}

/** A pending sign-in that the admin cancelled ends without an error card. */
export function isCancelled(error: ErrorPayload): boolean {
  return error.code === "cancelled";
}

/** The error card's title for a failed sign-in. */
export function signInErrorTitle(code: string): string {
  switch (code) {
    case "signin_declined":
      return "The sign-in was declined";
    case "signin_expired":
    case "device_code_expired":
      return "The device code expired before it was entered";
    case "signin_timeout":
      return "The browser sign-in was not finished in time";
    case "browser_open_failed":
      return "The system browser could not be opened: try a device code";
    case "keychain_unavailable":
      return "The system keychain is not available";
    case "invalid_input":
      return "The sign-in details are incomplete";
    default:
      return "The sign-in did not complete";
  }
}
