import { CONTOSO, appInfo, calls, expect, test } from "./fixtures";
import type { Event as WizardEvent } from "../../src/lib/bindings/Event";

const EVENTS: WizardEvent[] = [
  { kind: "progress", step: "tenant", done: 1, total: 2, label: "Fetching the OpenID configuration" },
  { kind: "log", level: "INFO", message: "GET https://login.microsoftonline.com/contoso.example/v2.0/.well-known/openid-configuration 200", at: "2026-11-22T10:00:01Z" },
  { kind: "progress", step: "tenant", done: 2, total: 2, label: "Reading the tenant ID" },
];

test("the Find button is disabled for empty input", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("microsoft"), tenants: { "contoso.example": CONTOSO } });
  const find = page.getByTestId("find-tenant");
  await expect(find).toHaveText("Find tenant");
  await expect(find).toBeDisabled();
  await page.getByTestId("tenant-input").fill("   ");
  await expect(find).toBeDisabled();
  await page.getByTestId("tenant-input").press("Enter");
  expect(await calls(page, "discover_tenant")).toHaveLength(0);
  await page.getByTestId("tenant-input").fill("contoso.example");
  await expect(find).toBeEnabled();
  await page.getByTestId("tenant-input").fill("");
  await expect(find).toBeDisabled();
});

test("the Tenant page shows a found tenant, its findings and the channel's events", async ({ page, openApp, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await openApp({ appInfo: appInfo("microsoft"), tenants: { "contoso.example": CONTOSO }, events: EVENTS });
  await expect(page.getByLabel("Domain or tenant ID")).toHaveAttribute("data-testid", "tenant-input");

  await page.getByTestId("tenant-input").fill("Contoso.example");
  await page.getByTestId("tenant-input").press("Enter");

  const result = page.getByTestId("tenant-result");
  await expect(result).toBeVisible();
  expect(await result.evaluate((el) => el.tagName)).toBe("DL");
  await expect(page.getByTestId("tenant-id")).toHaveText("72f988bf-86f1-41af-91ab-2d7cd011db47");
  await expect(page.getByTestId("region-scope")).toHaveText("EU");
  await expect(page.getByTestId("cloud-instance")).toHaveText("microsoftonline.com");
  await expect(page.getByTestId("graph-host")).toHaveText("graph.microsoft.com");
  await expect(page.getByTestId("issuer-form")).toContainText("v2.0");
  await expect(page.getByTestId("tenant-status")).toHaveText("Tenant found: 72f988bf-86f1-41af-91ab-2d7cd011db47.");
  await expect(page.getByTestId("step-tenant")).toContainText("done");

  const findings = page.getByTestId("findings").locator(":scope > li");
  await expect(findings).toHaveCount(2);
  await expect(findings.nth(0)).toContainText("Info");
  await expect(findings.nth(1)).toContainText("Warning");
  await expect(findings.nth(1)).toContainText("The issuer was read from the token endpoint.");

  const [discover] = await calls(page, "discover_tenant");
  expect(discover.args).toEqual({
    request: { input: "Contoso.example", authority: "https://login.microsoftonline.com", ca_file: null },
    onEvent: expect.stringMatching(/^__CHANNEL__:\d+$/),
  });

  // Channel events land in the log drawer, with times.
  await page.getByTestId("log-toggle").click();
  await expect(page.getByTestId("log-toggle")).toHaveAttribute("aria-expanded", "true");
  const entries = page.getByTestId("log-entries").locator("li");
  await expect(entries.filter({ hasText: "Fetching the OpenID configuration (1/2)" })).toHaveCount(1);
  await expect(entries.filter({ hasText: "Reading the tenant ID (2/2)" })).toHaveCount(1);
  await expect(entries.filter({ hasText: "openid-configuration 200" })).toHaveCount(1);
  await expect(entries.first().locator("time")).toHaveText(/^\d\d:\d\d:\d\d$/);

  // Copy the tenant ID.
  await page.getByTestId("copy-tenant-id").click();
  await expect(page.getByTestId("copy-tenant-id-status")).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(CONTOSO.tenant_id);
});

test("the Tenant page shows a not-found error card, and Try again returns to the input", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("microsoft") });
  await page.getByTestId("tenant-input").fill("nosuch.example");
  await page.getByTestId("find-tenant").click();

  const card = page.getByTestId("error-card");
  await expect(card).toBeVisible();
  await expect(card).toHaveAttribute("role", "alert");
  await expect(page.getByTestId("error-message")).toHaveText("No Microsoft 365 tenant found for nosuch.example: AADSTS90002");
  await expect(page.getByTestId("error-code")).toHaveText("tenant_not_found");
  await expect(page.getByTestId("error-remediation")).toHaveText("tenant.check-domain");
  await expect(page.getByTestId("tenant-result")).toHaveCount(0);

  await page.getByTestId("try-again").click();
  await expect(card).toHaveCount(0);
  await expect(page.getByTestId("tenant-input")).toBeFocused();
  await expect(page.getByTestId("tenant-input")).toHaveValue("nosuch.example");
});

test("an unknown rejection is shown as code internal without crashing", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("microsoft"), rejections: { "weird.example": "command discover_tenant panicked" } });
  await page.getByTestId("tenant-input").fill("weird.example");
  await page.getByTestId("find-tenant").click();
  await expect(page.getByTestId("error-code")).toHaveText("internal");
  await expect(page.getByTestId("error-message")).toHaveText("command discover_tenant panicked");
  await expect(page.getByTestId("error-remediation")).toHaveText("none recorded");
  // Still usable afterwards.
  await page.getByTestId("try-again").click();
  await expect(page.getByTestId("find-tenant")).toBeEnabled();
});

test("while running the button is disabled and progress shows in a status region", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("microsoft"), tenants: { "contoso.example": CONTOSO }, events: EVENTS.slice(0, 1), hold: true });
  await page.getByTestId("tenant-input").fill("contoso.example");
  await page.getByTestId("find-tenant").click();
  const status = page.getByTestId("tenant-status");
  await expect(status).toHaveAttribute("role", "status");
  await expect(status).toHaveText("Fetching the OpenID configuration (step 1 of 2)");
  await expect(page.getByTestId("find-tenant")).toBeDisabled();
  await page.evaluate(() => (window as unknown as { __hsRelease: () => void }).__hsRelease());
  await expect(page.getByTestId("tenant-id")).toHaveText(CONTOSO.tenant_id);
  await expect(page.getByTestId("find-tenant")).toBeEnabled();
});

test("a custom authority URL and a CA file are sent as typed", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("microsoft"), tenants: { "contoso.example": CONTOSO } });
  await expect(page.getByTestId("authority-custom")).toHaveCount(0);
  await page.getByTestId("authority-select").selectOption({ label: "Custom URL…" });
  await expect(page.getByTestId("authority-custom")).toBeVisible();
  await page.getByTestId("tenant-input").fill("contoso.example");
  await expect(page.getByTestId("find-tenant")).toBeDisabled(); // no URL yet
  await page.getByTestId("authority-custom").fill("https://login.proxy.example");
  await page.getByTestId("ca-file").fill("/etc/ssl/corp-ca.pem");
  await expect(page.getByLabel(/Trusted CA file \(PEM\)/)).toHaveAccessibleDescription(/verification is never turned off/);
  await page.getByTestId("find-tenant").click();
  await expect(page.getByTestId("tenant-id")).toBeVisible();
  const [discover] = await calls(page, "discover_tenant");
  expect((discover.args as { request: unknown }).request).toEqual({
    input: "contoso.example",
    authority: "https://login.proxy.example",
    ca_file: "/etc/ssl/corp-ca.pem",
  });
});
