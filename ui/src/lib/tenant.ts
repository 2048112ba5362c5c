import type { AppInfo } from "./bindings/AppInfo";
import type { DiscoverRequest } from "./bindings/DiscoverRequest";
import type { IssuerForm } from "./bindings/IssuerForm";

export const CUSTOM = "custom";
export const PRACTICE = "practice";

export type AuthorityOption = { value: string; label: string; url: string };

/** The cloud choices: the practice tenant first in practice mode, the presets, then "Custom URL…". */
export function authorityOptions(info: AppInfo): AuthorityOption[] {
  const options: AuthorityOption[] = [];
  if (info.mode === "practice" && info.practice) {
    options.push({ value: PRACTICE, label: "Practice tenant", url: info.practice.authority });
  }
  for (const p of info.authorities) options.push({ value: p.id, label: p.label, url: p.url });
  options.push({ value: CUSTOM, label: "Custom URL…", url: "" });
  return options;
}

export type TenantForm = {
  input: string;
  authority: string;
  customUrl: string;
  caFile: string;
};

/** The form's starting values; practice mode prefills authority and CA file. */
export function initialForm(info: AppInfo): TenantForm {
  const options = authorityOptions(info);
  return {
    input: "",
    authority: options[0]?.value ?? CUSTOM,
    customUrl: "",
    caFile: info.mode === "practice" && info.practice ? info.practice.ca_file : "",
  };
}

export function placeholderFor(info: AppInfo): string {
  if (info.mode === "practice" && info.practice) return `e.g. ${info.practice.tenant_domain}`;
  return "e.g. contoso.com";
}

/** The authority URL a form (Tenant or Sign-in) chose: a preset's URL or the custom one. */
export function authorityUrl(form: Pick<TenantForm, "authority" | "customUrl">, options: AuthorityOption[]): string {
  if (form.authority === CUSTOM) return form.customUrl.trim();
  return options.find((o) => o.value === form.authority)?.url ?? "";
}

export function canSubmit(form: TenantForm, options: AuthorityOption[], running: boolean): boolean {
  return !running && form.input.trim() !== "" && authorityUrl(form, options) !== "";
}

export function toRequest(form: TenantForm, options: AuthorityOption[]): DiscoverRequest {
  const ca = form.caFile.trim();
  return { input: form.input.trim(), authority: authorityUrl(form, options), ca_file: ca === "" ? null : ca };
}

export function describeIssuerForm(form: IssuerForm): string {
  return form === "v2" ? "v2.0" : "v1.0";
}
