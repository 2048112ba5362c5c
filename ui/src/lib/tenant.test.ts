import { describe, expect, it } from "vitest";
import type { AppInfo } from "./bindings/AppInfo";
import { CUSTOM, authorityOptions, canSubmit, initialForm, placeholderFor, toRequest } from "./tenant";

const authorities = [
  { id: "worldwide", label: "Worldwide", url: "https://login.microsoftonline.com" },
  { id: "us_government", label: "US Government", url: "https://login.microsoftonline.us" },
  { id: "china", label: "China (21Vianet)", url: "https://login.chinacloudapi.cn" },
];
const microsoft: AppInfo = { version: "0.1.0", log_dir: "/tmp/logs", mode: "microsoft", practice: null, client_id: null, authorities };
const practice: AppInfo = {
  ...microsoft,
  mode: "practice",
  practice: { authority: "https://127.0.0.1:4431", client_id: "c", ca_file: "/tmp/ca.pem", tenant_domain: "contoso.example", tenant_id: "x" },
};

describe("tenant form", () => {
  it("offers the presets then Custom URL…", () => {
    expect(authorityOptions(microsoft).map((o) => o.label)).toEqual(["Worldwide", "US Government", "China (21Vianet)", "Custom URL…"]);
  });

  it("puts the practice tenant first and prefills it in practice mode", () => {
    expect(authorityOptions(practice)[0]).toEqual({ value: "practice", label: "Practice tenant", url: "https://127.0.0.1:4431" });
    const form = initialForm(practice);
    expect(form.authority).toBe("practice");
    expect(form.caFile).toBe("/tmp/ca.pem");
    expect(placeholderFor(practice)).toBe("e.g. contoso.example");
  });

  it("needs an input, an authority and no run in progress", () => {
    const options = authorityOptions(microsoft);
    const form = initialForm(microsoft);
    expect(canSubmit(form, options, false)).toBe(false);
    form.input = "  contoso.com ";
    expect(canSubmit(form, options, false)).toBe(true);
    expect(canSubmit(form, options, true)).toBe(false);
    form.authority = CUSTOM;
    expect(canSubmit(form, options, false)).toBe(false);
    form.customUrl = "https://login.example.test";
    expect(canSubmit(form, options, false)).toBe(true);
  });

  it("builds the request with trimmed values and a null CA file when empty", () => {
    const options = authorityOptions(microsoft);
    const form = { input: " Contoso.com ", authority: "us_government", customUrl: "", caFile: "  " };
    expect(toRequest(form, options)).toEqual({ input: "Contoso.com", authority: "https://login.microsoftonline.us", ca_file: null });
  });
});
