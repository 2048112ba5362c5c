import { appInfo, calls, expect, test } from "./fixtures";

test("Copy diagnostics calls diagnostics, copies the text and announces Copied", async ({ page, openApp, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const text = "hybridsync 0.1.0\nos: Debian 12\nmode: microsoft";
  await openApp({ appInfo: appInfo("microsoft"), diagnostics: text });

  const drawer = page.getByTestId("log-drawer");
  await expect(drawer).toBeVisible();
  await page.getByTestId("log-toggle").click();
  await expect(page.getByTestId("log-dir")).toHaveText("/home/admin/.local/state/hybridsync/logs");

  await page.getByTestId("copy-diagnostics").click();
  await expect(page.getByTestId("copy-status")).toHaveText("Copied");
  await expect(page.getByTestId("copy-status")).toHaveAttribute("role", "status");
  expect(await calls(page, "diagnostics")).toHaveLength(1);
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(text);
});

test("Copy diagnostics falls back to execCommand when the Clipboard API is refused", async ({ page, openApp }) => {
  await page.addInitScript(() => {
    Object.defineProperty(navigator, "clipboard", {
      value: { writeText: () => Promise.reject(new DOMException("denied", "NotAllowedError")) },
    });
    const w = window as unknown as { __copied: string[] };
    w.__copied = [];
    document.execCommand = ((cmd: string) => {
      if (cmd !== "copy") return false;
      const area = document.activeElement as HTMLTextAreaElement | null;
      w.__copied.push(area?.value ?? "");
      return true;
    }) as typeof document.execCommand;
  });
  await openApp({ appInfo: appInfo("microsoft"), diagnostics: "diag text" });
  await page.getByTestId("copy-diagnostics").click();
  await expect(page.getByTestId("copy-status")).toHaveText("Copied");
  expect(await page.evaluate(() => (window as unknown as { __copied: string[] }).__copied)).toEqual(["diag text"]);
});

test("a failing diagnostics command is reported in the status region", async ({ page, openApp }) => {
  await openApp({
    appInfo: appInfo("microsoft"),
    diagnosticsError: { code: "log_unreadable", message: "The log folder could not be read", remediation: null },
  });
  await page.getByTestId("copy-diagnostics").click();
  await expect(page.getByTestId("copy-status")).toHaveText(
    "Could not collect diagnostics: The log folder could not be read (log_unreadable)",
  );
  await expect(page.getByTestId("copy-diagnostics")).toBeEnabled();
});

test("the drawer is collapsible and keeps its entries", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("microsoft") });
  const toggle = page.getByTestId("log-toggle");
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await expect(page.locator("#log-drawer-body")).toBeHidden();
  await toggle.click();
  await expect(page.locator("#log-drawer-body")).toBeVisible();
  await page.getByTestId("tenant-input").fill("nosuch.example");
  await page.getByTestId("find-tenant").click();
  await expect(page.getByTestId("log-entries").locator("li").filter({ hasText: "tenant_not_found" })).toHaveCount(1);
  await toggle.click();
  await expect(page.locator("#log-drawer-body")).toBeHidden();
});
