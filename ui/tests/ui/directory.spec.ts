import { readFileSync } from "node:fs";
import { appInfo, calls, expect, seriousViolations, test } from "./fixtures";
import { directoryFinding } from "./directory-rows";
import type { Page } from "@playwright/test";

const ROWS = 100_000;

async function scan(page: Page) {
  await page.getByTestId("step-directory").click();
  await expect(page.getByRole("heading", { level: 1, name: "Directory readiness" })).toBeVisible();
  await page.getByTestId("export-path").fill("/exports/contoso.ldf");
  await page.getByTestId("upn-suffix").fill("contoso.com");
  await page.getByTestId("scan").click();
}

function firstRow(page: Page) {
  return page.getByTestId("grid-row").first();
}

test("100,000 findings: only a window of rows is in the DOM; sort, filter, search and export work", async ({ page, openApp }) => {
  // Generous for a loaded CI machine; nothing here measures time.
  test.setTimeout(120_000);
  await openApp({ appInfo: appInfo("microsoft"), directoryRows: ROWS });
  await scan(page);
  await expect(page.getByTestId("grid-count")).toHaveText("100,000 of 100,000 findings");
  await expect(page.getByTestId("scan-status")).toContainText("100,000 objects read");

  const [call] = await calls(page, "directory_scan");
  expect(call.args).toEqual({ request: { source: { kind: "ldif", path: "/exports/contoso.ldf" }, upn_suffix: "contoso.com", tenant_domains: null } });

  // The grid declares every row but renders a window.
  await expect(page.getByTestId("findings-grid")).toHaveAttribute("aria-rowcount", String(ROWS + 1));
  const rendered = await page.getByTestId("grid-row").count();
  expect(rendered).toBeGreaterThan(5);
  expect(rendered).toBeLessThan(60);

  // Sort by object, ascending then descending.
  await page.getByTestId("sort-dn").click();
  await expect(firstRow(page)).toContainText("CN=User 000000,");
  await page.getByTestId("sort-dn").click();
  await expect(firstRow(page)).toContainText("CN=User 099999,");
  await expect(page.locator('[role="columnheader"][aria-sort="descending"]')).toContainText("Object");

  // Scrolled to the end: the last rows, still only a window.
  await page.getByTestId("grid-viewport").evaluate((el) => {
    el.scrollTop = el.scrollHeight;
    el.dispatchEvent(new Event("scroll"));
  });
  const last = page.getByTestId("grid-row").last();
  await expect(last).toContainText("CN=User 000000,");
  await expect(last).toHaveAttribute("aria-rowindex", String(ROWS + 1));
  expect(await page.getByTestId("grid-row").count()).toBeLessThan(60);

  // Filter: rule, then severity too (i % 5 == 1 and i % 3 == 0: 6667 rows).
  await page.getByTestId("grid-rule").selectOption("duplicate");
  await expect(page.getByTestId("grid-count")).toHaveText("20,000 of 100,000 findings");
  await page.getByTestId("grid-severity").selectOption("warning");
  await expect(page.getByTestId("grid-count")).toHaveText("6,667 of 100,000 findings");
  await expect(firstRow(page)).toContainText("duplicate");
  await page.getByTestId("grid-rule").selectOption("");
  await page.getByTestId("grid-severity").selectOption("");

  // Search.
  await page.getByTestId("grid-search").fill("USER012345@");
  await expect(page.getByTestId("grid-count")).toHaveText("1 of 100,000 findings");
  await expect(page.getByTestId("grid-row")).toHaveCount(1);
  await expect(firstRow(page)).toContainText("user012345@contoso.local");

  // Export what is shown: CSV and JSON.
  const [csvDownload] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
  expect(csvDownload.suggestedFilename()).toBe("directory-findings.csv");
  const csv = readFileSync((await csvDownload.path())!, "utf8");
  const f = directoryFinding(12345);
  expect(csv).toBe(
    "dn,attribute,value,rule,severity,message,suggestion\r\n" +
      `"${f.dn}","${f.attribute}","${f.value}","${f.rule}","${f.severity}","${f.message}",""\r\n`,
  );
  const [jsonDownload] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-json").click()]);
  const json = JSON.parse(readFileSync((await jsonDownload.path())!, "utf8"));
  expect(json).toEqual({ findings: [f] });

  // Clearing the search brings every row back; export then holds all of them.
  await page.getByTestId("grid-search").fill("");
  await expect(page.getByTestId("grid-count")).toHaveText("100,000 of 100,000 findings");
  const [all] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-json").click()]);
  expect(JSON.parse(readFileSync((await all.path())!, "utf8")).findings).toHaveLength(ROWS);

  // The suffix table.
  await expect(page.getByTestId("suffix-table")).toContainText("contoso.local");
  await expect(page.getByTestId("suffix-table")).toContainText("Non-routable");
});

test("a scan that fails shows the error with its code", async ({ page, openApp }) => {
  await openApp({
    appInfo: appInfo("microsoft"),
    directoryError: { code: "file_unreadable", message: "/exports/contoso.ldf: line 7: a continuation line with no attribute before it", remediation: null },
  });
  await scan(page);
  await expect(page.getByTestId("error-card")).toHaveAttribute("data-code", "file_unreadable");
  await expect(page.getByTestId("error-message")).toContainText("line 7");
  await expect(page.getByTestId("findings-grid")).toHaveCount(0);
});

test("LDAP needs every bind field before Scan is enabled", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("microsoft"), directoryRows: 2 });
  await page.getByTestId("step-directory").click();
  await page.getByTestId("source-ldap").check();
  await page.getByTestId("ldap-url").fill("ldaps://dc1.contoso.local:3269");
  await page.getByTestId("ldap-bind").fill("svc-sync@contoso.local");
  await page.getByTestId("ldap-base").fill("DC=contoso,DC=local");
  await expect(page.getByTestId("scan")).toBeDisabled();
  await page.getByTestId("ldap-password").fill("Bind-Passw0rd!");
  await expect(page.getByTestId("scan")).toBeEnabled();
  await page.getByTestId("scan").click();
  await expect(page.getByTestId("grid-count")).toHaveText("2 of 2 findings");
  const [call] = await calls(page, "directory_scan");
  expect((call.args as { request: { source: unknown } }).request.source).toEqual({
    kind: "ldap",
    url: "ldaps://dc1.contoso.local:3269",
    bind_dn: "svc-sync@contoso.local",
    password: "Bind-Passw0rd!",
    base: "DC=contoso,DC=local",
    ca_file: null,
  });
  expect(await seriousViolations(page)).toEqual([]);
  // The password is not written to the log drawer.
  await page.getByTestId("log-toggle").click();
  await expect(page.getByTestId("log-entries")).not.toContainText("Bind-Passw0rd!");
});
