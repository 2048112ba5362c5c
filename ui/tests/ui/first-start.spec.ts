import { CONTOSO, PRACTICE, appInfo, calls, expect, test } from "./fixtures";

test("first start shows the choice, and choosing practice opens the frame prefilled", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo(null), practice: PRACTICE, tenants: { [PRACTICE.tenant_domain]: CONTOSO } });

  await expect(page.getByRole("heading", { level: 1, name: "How do you want to start?" })).toBeVisible();
  const microsoft = page.getByTestId("choose-microsoft");
  const practice = page.getByTestId("choose-practice");
  await expect(microsoft).toHaveText("Connect to Microsoft 365");
  await expect(practice).toHaveText("Try with the practice tenant");
  await expect(microsoft).toHaveAccessibleDescription(/real Microsoft 365 tenant/);
  await expect(practice).toHaveAccessibleDescription(/simulated tenant on this computer/);
  await expect(page.getByTestId("step-list")).toHaveCount(0);
  await expect(page.getByTestId("mode-badge")).toHaveCount(0);

  await practice.click();

  await expect(page.getByTestId("step-list")).toBeVisible();
  await expect(page.getByTestId("mode-badge")).toHaveText("Practice tenant");
  await expect(page.locator("#step-heading")).toBeFocused();
  expect((await calls(page, "choose_mode")).map((c) => c.args)).toEqual([{ mode: "practice" }]);

  // Practice mode prefills the authority and CA file, and suggests the practice domain.
  const select = page.getByTestId("authority-select");
  await expect(select.locator("option:checked")).toHaveText("Practice tenant");
  await expect(page.getByTestId("authority-url")).toHaveText(PRACTICE.authority);
  await expect(page.getByTestId("ca-file")).toHaveValue(PRACTICE.ca_file);
  await expect(page.getByTestId("tenant-input")).toHaveAttribute("placeholder", `e.g. ${PRACTICE.tenant_domain}`);

  await page.getByTestId("tenant-input").fill(PRACTICE.tenant_domain);
  await page.getByTestId("tenant-input").press("Enter");
  await expect(page.getByTestId("tenant-id")).toHaveText(CONTOSO.tenant_id);
  const [discover] = await calls(page, "discover_tenant");
  expect(discover.args).toMatchObject({
    request: { input: PRACTICE.tenant_domain, authority: PRACTICE.authority, ca_file: PRACTICE.ca_file },
  });
});

test("choosing Microsoft 365 shows the Microsoft 365 badge and the public clouds", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo(null) });
  await page.getByTestId("choose-microsoft").click();
  await expect(page.getByTestId("mode-badge")).toHaveText("Microsoft 365");
  const labels = await page.getByTestId("authority-select").locator("option").allTextContents();
  expect(labels).toEqual(["Worldwide", "US Government", "China (operated by 21Vianet)", "Custom URL…"]);
  await expect(page.getByTestId("ca-file")).toHaveValue("");
});

test("the app does not crash without a Rust side: the start error shows code internal", async ({ page, appUrl }) => {
  await page.goto(appUrl); // no mockIPC: window.__TAURI_INTERNALS__ is missing
  const card = page.getByTestId("error-card");
  await expect(card).toBeVisible();
  await expect(card).toHaveAttribute("role", "alert");
  await expect(page.getByTestId("error-code")).toHaveText("internal");
});
