"""Desktop end to end, issue 6: generate the certificate, export it (the save dialog answered by a
test folder), upload it to the practice tenant's Dynamics CRM service principal, "run" the CRM
script on the practice CRM deployment and import its result: the steps are done."""
import json
import os
import stat
import sys
import tempfile
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from webdriver import ROOT, Desktop  # noqa: E402
from practice import PRACTICE_PASSWORD, export_report, practice_tls, run_crm_script, sign_in  # noqa: E402

APP = os.environ.get("HYBRIDSYNC_WIZARD_BIN", os.path.join(ROOT, "target", "debug", "hybridsync-wizard"))


class Trust(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out = tempfile.mkdtemp(prefix="hybridsync-e2e-save-")
        cls.desktop = Desktop(APP, {"HYBRIDSYNC_SAVE_PATH_FOR_TESTS": cls.out})
        cls.s = cls.desktop.session()
        cls.base = None

    @classmethod
    def tearDownClass(cls):
        cls.s.quit()
        cls.desktop.close()

    def ctx(self):
        return practice_tls(self.desktop)

    def test_1_sign_in_to_the_practice_tenant(self):
        type(self).base = sign_in(self.s, self.desktop)

    def test_2_generate_and_export(self):
        s = self.s
        s.click(s.wait('[data-testid="step-certificate"]'))
        s.click(s.wait('[data-testid="cert-generate"]'))
        thumb = s.wait_text('[data-testid="cert-thumbprint"]', lambda t: len(t.strip()) == 40, timeout=60).strip()
        type(self).thumb = thumb
        s.click(s.wait('[data-testid="export-cer"]'))
        s.wait_text('[data-testid="export-path"]', lambda t: t.endswith(".cer"))
        s.click(s.wait('[data-testid="export-pfx"]'))
        reason = s.wait_text('[data-testid="pfx-reason"]', lambda t: "2016" in t)
        self.assertIn("cannot import AES-256", reason)
        password = s.wait_text('[data-testid="pfx-password"]', lambda t: len(t.strip()) >= 20).strip()
        cer = os.path.join(self.out, "Dynamics365-S2S.cer")
        pfx = os.path.join(self.out, "Dynamics365-S2S.pfx")
        with open(cer, "rb") as f:
            self.assertTrue(f.read().startswith(b"-----BEGIN CERTIFICATE-----\r\n"))
        self.assertEqual(stat.S_IMODE(os.stat(pfx).st_mode), 0o600)
        with open(pfx, "rb") as f:
            self.assertNotIn(password.encode(), f.read())
        s.wait_text('[data-testid="step-certificate"]', lambda t: "done" in t)

    def test_3_upload_shows_the_diff_then_a_rerun_changes_nothing(self):
        s = self.s
        s.click(s.wait('[data-testid="step-trust"]'))
        s.click(s.wait('[data-testid="trust-plan"]'))
        after = s.wait_text('[data-testid="trust-after"]', lambda t: self.thumb in t, timeout=60)
        self.assertIn(self.thumb, after)
        s.click(s.wait('[data-testid="trust-apply"]'))
        s.wait_text('[data-testid="trust-done"]', lambda t: "change(s)" in t, timeout=60)
        s.wait_text('[data-testid="step-trust"]', lambda t: "done" in t)
        s.click(s.wait('[data-testid="trust-plan"]'))
        s.wait('[data-testid="trust-nothing"]', timeout=60)

    def test_4_import_the_script_result(self):
        s = self.s
        result = run_crm_script(self.desktop, self.base, os.path.join(self.out, "Dynamics365-S2S.cer"))
        path = os.path.join(self.out, "hybridsync-crm-result.json")
        with open(path, "wb") as f:
            f.write(result)
        s.click(s.wait('[data-testid="step-crm-script"]'))
        s.type(s.wait('[data-testid="crm-result"]'), path)
        s.click(s.wait('[data-testid="crm-import"]'))
        status = s.wait_text('[data-testid="crm-status"]', lambda t: t.strip() != "", timeout=30)
        self.assertEqual(status.strip(), "The CRM server is set up.")
        s.wait_text('[data-testid="step-crm-script"]', lambda t: "done" in t)
        with urllib.request.urlopen(self.base + "/_practice/crm/state", context=self.ctx(), timeout=20) as r:
            state = json.loads(r.read())
        self.assertEqual(state["certificate_thumbprint"], self.thumb)

    def test_5_the_session_report_holds_the_upload(self):
        s = self.s
        html = export_report(s, self.out)
        # The upload is in it, before and after; no key material or token is.
        self.assertIn("keyCredentials", html)
        self.assertIn("Upload certificate to the Dynamics service principal", html)
        self.assertNotIn("PRIVATE KEY", html)
        self.assertNotIn(PRACTICE_PASSWORD, html)
        s.wait_text('[data-testid="step-report"]', lambda t: "done" in t)


if __name__ == "__main__":
    unittest.main(verbosity=2)
