import { appInfo, calls, expect, test } from "./fixtures";

const THUMB = "0123456789ABCDEF0123456789ABCDEF01234567";
const CERT = {
  subject: "CN=Dynamics365-S2S",
  thumbprint_sha1: THUMB,
  not_before: "2026-11-22T00:00:00Z",
  not_after: "2028-11-21T00:00:00Z",
  days_left: 729,
  findings: [],
};
const PLAN = {
  facts: {
    service_principal_id: "5f1e0d2c-8b4d-4e7a-9c15-2d6b8e0f4a91",
    app_id: "00000007-0000-0000-c000-000000000000",
    certificate_thumbprint: THUMB,
    already_present: false,
    keys_before: [{ key_id: "6c1d", display_name: "CN=Dynamics365-S2S-2023", thumbprint: "AAAA", start: "2023-01-01T00:00:00Z", end: "2024-01-01T00:00:00Z" }],
    keys_after: [{ key_id: null, display_name: "CN=Dynamics365-S2S", thumbprint: THUMB, start: "2026-11-22T00:00:00Z", end: "2028-11-21T00:00:00Z" }],
    keys_dropped: [],
    names_before: [],
    names_after: null,
  },
  findings: [{ code: "sp_key_expired", severity: "warning", message: "The key AAAA expired on 2024-01-01.", evidence: [], remediation: "s2s.certificate-expired" }],
  changes: [
    {
      target: "graph:servicePrincipals/5f1e0d2c-8b4d-4e7a-9c15-2d6b8e0f4a91",
      field: "keyCredentials",
      before: [{ thumbprint: "AAAA", end: "2024-01-01T00:00:00Z" }],
      after: [{ thumbprint: THUMB, end: "2028-11-21T00:00:00Z" }],
    },
  ],
};

async function open(page: import("@playwright/test").Page, id: string) {
  await page.getByTestId(`step-${id}`).click();
}

test("generate a certificate and export it: the PFX reason and the password shown once", async ({ page, openApp }) => {
  await openApp({
    appInfo: appInfo("practice"),
    trust: {
      cert_generate: CERT,
      "cert_export:cer": { path: "/tmp/out/Dynamics365-S2S.cer", pfx_encryption: null, pfx_reason: null, password: null },
      "cert_export:pfx": {
        path: "/tmp/out/Dynamics365-S2S.pfx",
        pfx_encryption: "TripleDesSha1",
        pfx_reason: "Windows Server 2016 cannot import AES-256 PFX files",
        password: "Strong-Generated-Passw0rd",
      },
    },
  });
  await open(page, "certificate");
  await page.getByTestId("cert-size").selectOption("3072");
  await page.getByTestId("cert-generate").click();
  await expect(page.getByTestId("cert-thumbprint")).toHaveText(THUMB);
  await expect(page.getByTestId("cert-days-left")).toHaveText("729");
  const [gen] = await calls(page, "cert_generate");
  expect(gen.args).toEqual({ request: { common_name: "Dynamics365-S2S", key_size: 3072, valid_days: 730 } });

  await page.getByTestId("export-cer").click();
  await expect(page.getByTestId("export-path").first()).toHaveText("/tmp/out/Dynamics365-S2S.cer");
  await page.getByTestId("export-pfx").click();
  await expect(page.getByTestId("pfx-reason")).toContainText("cannot import AES-256");
  await expect(page.getByTestId("pfx-password")).toHaveText("Strong-Generated-Passw0rd");
  const exports = await calls(page, "cert_export");
  expect(exports.map((c) => c.args)).toEqual([
    { request: { format: "cer", windows_server: null } },
    { request: { format: "pfx", windows_server: "2016" } },
  ]);
  await expect(page.getByTestId("step-certificate")).toContainText("done");
});

test("the trust step shows the diff first and uploads only on request", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("practice"), trust: { trust_plan: PLAN, trust_apply: PLAN.changes } });
  await open(page, "trust");
  await page.getByTestId("trust-plan").click();
  await expect(page.getByTestId("trust-change")).toHaveCount(1);
  await expect(page.getByTestId("trust-after")).toContainText(THUMB);
  await expect(page.getByTestId("findings")).toContainText("expired on 2024-01-01");
  expect(await calls(page, "trust_apply")).toHaveLength(0);
  await page.getByTestId("trust-apply").click();
  await expect(page.getByTestId("trust-done")).toContainText("1 change(s)");
  await expect(page.getByTestId("step-trust")).toContainText("done");
});

test("a refusal of the trust step shows the error card with its code", async ({ page, openApp }) => {
  await openApp({
    appInfo: appInfo("practice"),
    trust: { trust_plan: { code: "role_missing", message: "user@contoso.onmicrosoft.com cannot upload the certificate: that needs the Global Administrator role. Nothing was changed.", remediation: "signin.role-missing" } },
  });
  await open(page, "trust");
  await page.getByTestId("trust-plan").click();
  await expect(page.getByTestId("error-code")).toHaveText("role_missing");
  await expect(page.getByTestId("trust-apply")).toHaveCount(0);
});

test("the CRM script is saved and an imported result marks the step done or lists the findings", async ({ page, openApp }) => {
  await openApp({
    appInfo: appInfo("practice"),
    trust: {
      crm_script_save: "/tmp/out/hybridsync-crm-script.ps1",
      "crm_script_import:/tmp/bad.json": {
        done: false,
        findings: [{ code: "hybrid_connector_missing", severity: "error", message: "the CRM-server script failed at tenant_id: The Dynamics 365 Hybrid Connector is missing from the tenant", evidence: [], remediation: "hybrid-connector.missing" }],
        result: { schema: "hybridsync-crm-script-result/1", computer: null, finished: null, thumbprint: THUMB, organization: "contoso", tenant_id: null, metadata_url: null, parts: [] },
      },
      "crm_script_import:/tmp/good.json": {
        done: true,
        findings: [{ code: "crm_script_done", severity: "info", message: "the CRM server holds the S2S certificate", evidence: [], remediation: null }],
        result: { schema: "hybridsync-crm-script-result/1", computer: null, finished: null, thumbprint: THUMB, organization: "contoso", tenant_id: null, metadata_url: null, parts: [] },
      },
    },
  });
  await open(page, "crm-script");
  await page.getByTestId("crm-cloud").selectOption("gcc_high");
  await page.getByTestId("crm-account").fill("CONTOSO\\svc-async");
  await page.getByTestId("crm-org").fill("contoso");
  await page.getByTestId("crm-tenant").fill("3f2a6c1e-8b4d-4e7a-9c15-2d6b8e0f4a91");
  await page.getByTestId("crm-save").click();
  await expect(page.getByTestId("crm-saved")).toHaveText("/tmp/out/hybridsync-crm-script.ps1");
  const [save] = await calls(page, "crm_script_save");
  expect(save.args).toEqual({
    input: { cloud: "gcc_high", certificate_file: "C:\\s2s\\Dynamics365-S2S.pfx", service_account: "CONTOSO\\svc-async", organization: "contoso", tenant_id: "3f2a6c1e-8b4d-4e7a-9c15-2d6b8e0f4a91" },
  });

  await page.getByTestId("crm-result").fill("/tmp/bad.json");
  await page.getByTestId("crm-import").click();
  await expect(page.getByTestId("crm-status")).toHaveText("The CRM server is not set up yet.");
  await expect(page.getByTestId("findings")).toContainText("Hybrid Connector");
  await page.getByTestId("crm-result").fill("/tmp/good.json");
  await page.getByTestId("crm-import").click();
  await expect(page.getByTestId("crm-status")).toHaveText("The CRM server is set up.");
  await expect(page.getByTestId("step-crm-script")).toContainText("done");
});
