import { appInfo, calls, expect, test } from "./fixtures";

const TITLES = [
  "Tenant",
  "Sign-in",
  "Domains",
  "Directory readiness",
  "Connectivity",
  "Certificate",
  "Entra trust",
  "CRM server script",
  "Email server profile",
  "Mailboxes",
  "Report",
];

test("the frame renders the steps with aria-current on Tenant", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("microsoft") });
  const list = page.getByTestId("step-list");
  await expect(list).toBeVisible();
  expect(await list.evaluate((el) => el.tagName)).toBe("OL");
  await expect(list.locator("li .step-title")).toHaveText(TITLES);

  const current = list.locator('[aria-current="step"]');
  await expect(current).toHaveCount(1);
  await expect(current).toHaveAttribute("data-testid", "step-tenant");
  await expect(current).toContainText("Tenant");

  // Every step is built: none is disabled or says "not available yet".
  await expect(list.locator("button")).toHaveCount(TITLES.length);
  await expect(list.locator('[aria-disabled="true"]')).toHaveCount(0);
  await expect(list.getByText("not available yet")).toHaveCount(0);
  await expect(page.getByTestId("step-mailboxes")).not.toHaveAttribute("aria-disabled", "true");

  await expect(page.getByRole("heading", { level: 1, name: "Tenant" })).toBeVisible();
  await expect(page.getByText("Enter one of your organisation's domains or its tenant ID to find your Microsoft 365 tenant.")).toBeVisible();
  await expect(page.getByTestId("mode-badge")).toHaveText("Microsoft 365");

  // Start-up benchmark mark: called once with a time.
  await expect.poll(async () => (await calls(page, "ui_ready")).length).toBe(1);
  const [ready] = await calls(page, "ui_ready");
  expect(typeof (ready.args as { ms: number }).ms).toBe("number");
});

test("the EWS pre-flight banner states the retirement relative to today", async ({ page, openApp }) => {
  await page.clock.setFixedTime(new Date(2026, 10, 22, 10, 0, 0));
  await openApp({ appInfo: appInfo("microsoft") });
  const banner = page.getByTestId("ews-banner");
  await expect(banner).toHaveAttribute("data-phase", "blocked");
  await expect(banner).toContainText("EWS ends in 130 days, on 1 April 2027.");
  await expect(banner).toContainText("Since 1 October 2026 Exchange Online blocks EWS for tenants that are not allow-listed.");
  await expect(banner).toContainText("Dynamics 365 on-premises");
  await expect(banner).toContainText("domain, directory, certificate, diagnosis and report parts");
});

test("the step list works by keyboard", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("microsoft") });
  await expect(page.getByTestId("step-list")).toBeVisible();

  // Reachable by Tab: one stop, on the current step.
  let inList = false;
  for (let i = 0; i < 15 && !inList; i++) {
    await page.keyboard.press("Tab");
    inList = await page.evaluate(() => !!document.activeElement?.closest('[data-testid="step-list"]'));
  }
  expect(inList).toBe(true);
  await expect(page.getByTestId("step-tenant")).toBeFocused();
  await expect(page.locator('[data-testid="step-list"] button[tabindex="0"]')).toHaveCount(1);

  await page.keyboard.press("ArrowDown");
  await expect(page.getByTestId("step-signin")).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByTestId("step-domains")).toBeFocused();
  // Enter on Mailboxes (End, then up one) opens it; Tenant opens again by click.
  await page.keyboard.press("End");
  await page.keyboard.press("ArrowUp");
  await expect(page.getByTestId("step-mailboxes")).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("step-mailboxes")).toHaveAttribute("aria-current", "step");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Mailboxes");
  await page.getByTestId("step-tenant").click();
  await expect(page.getByTestId("step-tenant")).toHaveAttribute("aria-current", "step");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Tenant");

  await page.getByTestId("step-domains").focus();
  await page.keyboard.press("End");
  await expect(page.getByTestId("step-report")).toBeFocused();
  await page.keyboard.press("ArrowDown"); // stays at the end
  await expect(page.getByTestId("step-report")).toBeFocused();
  await page.keyboard.press("Home");
  await expect(page.getByTestId("step-tenant")).toBeFocused();
  await page.keyboard.press("ArrowUp"); // stays at the start
  await expect(page.getByTestId("step-tenant")).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowUp");
  await expect(page.getByTestId("step-tenant")).toBeFocused();

  // Enter opens an available step and moves focus to its heading.
  await page.keyboard.press("Enter");
  await expect(page.locator("h1#step-heading")).toBeFocused();
  await expect(page.locator("h1#step-heading")).toHaveAttribute("tabindex", "-1");

  // Space does the same.
  await page.getByTestId("step-tenant").focus();
  await page.keyboard.press("Space");
  await expect(page.locator("h1#step-heading")).toBeFocused();

  // Sign-in opens the same way, and the list keeps one Tab stop, now on Sign-in.
  await page.getByTestId("step-tenant").focus();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByTestId("step-signin")).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.locator("h1#step-heading")).toBeFocused();
  await expect(page.locator("h1#step-heading")).toHaveText("Sign-in");
  await expect(page.getByTestId("step-signin")).toHaveAttribute("aria-current", "step");
  await expect(page.locator('[data-testid="step-list"] button[tabindex="0"]')).toHaveCount(1);
  await expect(page.getByTestId("step-signin")).toHaveAttribute("tabindex", "0");
});
