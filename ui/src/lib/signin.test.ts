import { describe, expect, it } from "vitest";
import type { AppInfo } from "./bindings/AppInfo";
import type { RoleInfo } from "./bindings/RoleInfo";
import {
  APP_REGISTRATION,
  DOMAIN_NAME_ADMINISTRATOR,
  GLOBAL_ADMINISTRATOR,
  ORGANIZATIONS,
  canSignIn,
  defaultClientId,
  defaultTenant,
  formatTimeLeft,
  initialSignInForm,
  isCancelled,
  roleNote,
  secondsLeft,
  signInErrorTitle,
  toSignInRequest,
} from "./signin";
import { CUSTOM, authorityOptions } from "./tenant";

const authorities = [
  { id: "worldwide", label: "Worldwide", url: "https://login.microsoftonline.com" },
  { id: "us_government", label: "US Government", url: "https://login.microsoftonline.us" },
  { id: "china", label: "China (21Vianet)", url: "https://login.chinacloudapi.cn" },
];
const microsoft: AppInfo = { version: "0.1.0", log_dir: "/tmp/logs", mode: "microsoft", practice: null, client_id: null, authorities };
const configured: AppInfo = { ...microsoft, client_id: "11111111-2222-3333-4444-555555555555" };
const practice: AppInfo = {
  ...microsoft,
  mode: "practice",
  practice: {
    authority: "https://127.0.0.1:4431",
    client_id: "4a1c0b8e-5d3f-4c2a-9e7b-61f0d2a9c3b5",
    ca_file: "/tmp/ca.pem",
    tenant_domain: "contoso.example",
    tenant_id: "5f1c1c38-0d8e-4a57-9a52-6b9d3f2e7a10",
  },
};
const found = { tenant_id: "72f988bf-86f1-41af-91ab-2d7cd011db47", authority: "https://login.microsoftonline.us/", ca_file: null };

const role = (r: { name: string; templateId: string }): RoleInfo => ({ display_name: r.name, role_template_id: r.templateId });

describe("sign-in form", () => {
  it("prefills the tenant from the Tenant step, else the practice domain, else organizations", () => {
    expect(defaultTenant(microsoft, found)).toBe(found.tenant_id);
    expect(defaultTenant(practice, found)).toBe(found.tenant_id);
    expect(defaultTenant(practice, null)).toBe("contoso.example");
    expect(defaultTenant(microsoft, null)).toBe(ORGANIZATIONS);
    expect(ORGANIZATIONS).toBe("organizations");
  });

  it("prefills the client ID from the practice tenant or AppInfo, else leaves it empty", () => {
    expect(defaultClientId(practice)).toBe("4a1c0b8e-5d3f-4c2a-9e7b-61f0d2a9c3b5");
    expect(defaultClientId({ ...practice, client_id: "other" })).toBe("4a1c0b8e-5d3f-4c2a-9e7b-61f0d2a9c3b5");
    expect(defaultClientId(configured)).toBe("11111111-2222-3333-4444-555555555555");
    expect(defaultClientId(microsoft)).toBe("");
    // The practice values only count in practice mode.
    expect(defaultClientId({ ...practice, mode: "microsoft" })).toBe("");
  });

  it("starts like the Tenant step: the first cloud, and the practice CA file in practice mode", () => {
    expect(initialSignInForm(microsoft, null)).toEqual({ tenant: "organizations", clientId: "", authority: "worldwide", customUrl: "", caFile: "" });
    expect(initialSignInForm(practice, null)).toEqual({
      tenant: "contoso.example",
      clientId: "4a1c0b8e-5d3f-4c2a-9e7b-61f0d2a9c3b5",
      authority: "practice",
      customUrl: "",
      caFile: "/tmp/ca.pem",
    });
  });

  it("follows the cloud and CA file of the tenant the Tenant step found", () => {
    expect(initialSignInForm(microsoft, found)).toMatchObject({ tenant: found.tenant_id, authority: "us_government", customUrl: "" });
    const custom = initialSignInForm(microsoft, { ...found, authority: "https://login.proxy.example", ca_file: "/etc/ssl/corp.pem" });
    expect(custom).toMatchObject({ authority: CUSTOM, customUrl: "https://login.proxy.example", caFile: "/etc/ssl/corp.pem" });
    const inPractice = initialSignInForm(practice, { ...found, authority: "https://127.0.0.1:4431", ca_file: "/tmp/ca.pem" });
    expect(inPractice).toMatchObject({ authority: "practice", caFile: "/tmp/ca.pem" });
  });

  it("needs a tenant, a client ID, an authority and nothing running", () => {
    const options = authorityOptions(microsoft);
    const form = initialSignInForm(microsoft, null);
    expect(canSignIn(form, options, false)).toBe(false); // no client ID
    form.clientId = " 11111111-2222-3333-4444-555555555555 ";
    expect(canSignIn(form, options, false)).toBe(true);
    expect(canSignIn(form, options, true)).toBe(false);
    form.tenant = "  ";
    expect(canSignIn(form, options, false)).toBe(false);
    form.tenant = "contoso.com";
    form.authority = CUSTOM;
    expect(canSignIn(form, options, false)).toBe(false);
    form.customUrl = "https://login.example.test";
    expect(canSignIn(form, options, false)).toBe(true);
  });

  it("builds the request with trimmed values and a null CA file when empty", () => {
    const options = authorityOptions(microsoft);
    const form = { tenant: " contoso.com ", clientId: " abc ", authority: "china", customUrl: "", caFile: " " };
    expect(toSignInRequest(form, options)).toEqual({
      authority: "https://login.chinacloudapi.cn",
      tenant: "contoso.com",
      client_id: "abc",
      ca_file: null,
    });
    expect(toSignInRequest({ ...form, caFile: " /tmp/ca.pem " }, options).ca_file).toBe("/tmp/ca.pem");
  });

  it("names the app registration's platform, redirect URI and delegated permissions", () => {
    expect(APP_REGISTRATION.platform).toBe("Mobile and desktop applications");
    expect(APP_REGISTRATION.redirectUri).toBe("http://localhost");
    expect(APP_REGISTRATION.permissions).toEqual([
      "User.Read",
      "RoleManagement.Read.Directory",
      "Domain.ReadWrite.All",
      "Application.ReadWrite.All",
      "Organization.Read.All",
      "User.Read.All",
    ]);
  });
});

describe("device code time", () => {
  it("counts down from the issue time and stops at zero", () => {
    expect(secondsLeft(900, 1_000, 1_000)).toBe(900);
    expect(secondsLeft(900, 1_000, 1_999)).toBe(900);
    expect(secondsLeft(900, 1_000, 61_000)).toBe(840);
    expect(secondsLeft(900, 1_000, 10_000_000)).toBe(0);
    expect(secondsLeft(900, 5_000, 1_000)).toBe(900); // a clock going back does not add time
    expect(secondsLeft(900n, 1_000, 61_000)).toBe(840); // the binding's bigint
  });

  it.each([
    [900, "15:00"],
    [845, "14:05"],
    [61, "1:01"],
    [9, "0:09"],
    [0, "0:00"],
    [-3, "0:00"],
    [3723, "1:02:03"],
  ])("%i seconds read %s", (secs, short) => {
    expect(formatTimeLeft(secs)).toBe(short);
  });
});

describe("roles", () => {
  it("warns when there is no directory role", () => {
    const note = roleNote([]);
    expect(note?.level).toBe("warning");
    expect(note?.text).toContain("no directory role");
    expect(note?.text).toContain("Global Administrator or Domain Name Administrator");
  });

  it("warns when no role is enough for the later steps", () => {
    const note = roleNote([{ display_name: "Helpdesk Administrator", role_template_id: "729827e3-9c14-49f7-bb1b-9608f156bbb8" }]);
    expect(note?.level).toBe("warning");
    expect(note?.text).toContain("Global Administrator or Domain Name Administrator");
  });

  it("notes that Domain Name Administrator is not enough for the Entra trust", () => {
    expect(roleNote([role(DOMAIN_NAME_ADMINISTRATOR)])).toEqual({
      level: "info",
      text: expect.stringContaining("the Entra trust step needs Global Administrator"),
    });
  });

  it("says nothing for a Global Administrator, matching the template ID in any case", () => {
    expect(roleNote([role(GLOBAL_ADMINISTRATOR)])).toBeNull();
    expect(roleNote([{ display_name: "Global Administrator", role_template_id: GLOBAL_ADMINISTRATOR.templateId.toUpperCase() }])).toBeNull();
  });
});

describe("sign-in errors", () => {
  it("treats only code cancelled as a cancel", () => {
    expect(isCancelled({ code: "cancelled", message: "Cancelled", remediation: null })).toBe(true);
    expect(isCancelled({ code: "signin_declined", message: "Declined", remediation: null })).toBe(false);
  });

  it("titles the error card by code", () => {
    expect(signInErrorTitle("signin_declined")).toBe("The sign-in was declined");
    expect(signInErrorTitle("signin_expired")).toBe("The device code expired before it was entered");
    expect(signInErrorTitle("device_code_expired")).toBe("The device code expired before it was entered");
    expect(signInErrorTitle("browser_open_failed")).toContain("try a device code");
    expect(signInErrorTitle("keychain_unavailable")).toBe("The system keychain is not available");
    expect(signInErrorTitle("something_else")).toBe("The sign-in did not complete");
  });
});
