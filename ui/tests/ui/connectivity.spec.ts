import { appInfo, calls, expect, seriousViolations, test } from "./fixtures";

const TREE = {
  title: "Hybrid connectivity",
  status: "fail",
  code: "cert_expired",
  detail: "expired on Nov 1 2026",
  remediation: "renew the certificate and bind the new one to the service",
  children: [
    {
      title: "EWS over HTTPS",
      status: "fail",
      code: "cert_expired",
      detail: "expired on Nov 1 2026",
      remediation: "renew the certificate and bind the new one to the service",
      children: [
        { title: "TCP connection to mail.contoso.com:443", status: "pass", code: "tcp_ok", detail: "connected", remediation: null, children: [] },
        {
          title: "Certificate is within its validity period",
          status: "fail",
          code: "cert_expired",
          detail: "expired on Nov 1 2026",
          remediation: "renew the certificate and bind the new one to the service",
          children: [],
        },
      ],
    },
    { title: "SMTP on mail.contoso.com:25", status: "pass", code: "smtp_ok", detail: "", remediation: null, children: [] },
  ],
};

test("the Connectivity step sends the request and shows the pass/fail tree with fixes", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("microsoft"), probeTree: TREE });
  await page.getByTestId("step-connectivity").click();
  await expect(page.getByRole("heading", { level: 1, name: "Connectivity" })).toBeVisible();
  await page.getByTestId("probe-domain").fill("contoso.com");
  await page.getByTestId("probe-ews").fill("https://mail.contoso.com/EWS/Exchange.asmx");
  await page.getByTestId("probe-smtp").fill("mail.contoso.com:25");
  await page.getByTestId("probe-outbound").fill(" https://login.microsoftonline.com/ \n\nhttps://graph.microsoft.com/");
  await page.getByTestId("run-probes").click();
  const nodes = page.getByTestId("probe-node");
  await expect(nodes).toHaveCount(5);
  await expect(nodes.first()).toHaveAttribute("data-status", "fail");
  const expired = page.locator('[data-testid="probe-node"][data-code="cert_expired"]').last();
  await expect(expired).toContainText("Fail");
  await expect(expired).toContainText("renew the certificate");
  await expect(page.locator('[data-testid="probe-node"][data-code="tcp_ok"]')).toContainText("Pass");
  expect(await seriousViolations(page)).toEqual([]);
  const [call] = await calls(page, "probe_connectivity");
  expect(call.args).toEqual({
    request: { domain: "contoso.com", autodiscover_host: "", ews_url: "https://mail.contoso.com/EWS/Exchange.asmx", smtp: "mail.contoso.com:25", nameserver: "", outbound: ["https://login.microsoftonline.com/", "https://graph.microsoft.com/"], ca_file: "" },
  });
});
