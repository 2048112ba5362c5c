// The Report step: export the session's run report in the chosen format and show its SHA-256.
import { appInfo, calls, expect, seriousViolations, test } from "./fixtures";

test("the report is exported in the chosen format and its file and SHA-256 are shown", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("practice") });
  await page.getByTestId("step-report").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Report");
  await page.getByTestId("report-format-md").check();
  await page.getByTestId("report-export").click();
  await expect(page.getByTestId("report-path")).toHaveText("/home/admin/Documents/hybridsync/hybridsync-report.md");
  await expect(page.getByTestId("report-sha256")).toHaveText("ab".repeat(32));
  await expect(page.getByTestId("report-counts")).toContainText("2 step(s), 3 change(s)");
  const sent = await calls(page, "report_export");
  expect(sent.map((c) => c.args)).toEqual([{ request: { format: "md" } }]);
  await expect(page.getByTestId("step-report")).toContainText("done");
  expect(await seriousViolations(page)).toEqual([]);
});

test("a report that cannot be written shows the error and its troubleshooting card", async ({ page, openApp }) => {
  const error = { code: "file_unwritable", message: "could not write /root/hybridsync-report.html: permission denied", remediation: "files.check-permissions" };
  await openApp({ appInfo: appInfo("practice"), report: { error } });
  await page.getByTestId("step-report").click();
  await page.getByTestId("report-export").click();
  await expect(page.getByTestId("error-code")).toHaveText("file_unwritable");
  await expect(page.getByTestId("report-written")).toHaveCount(0);
});
