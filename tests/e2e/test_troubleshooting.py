"""Desktop end to end, issue 8: failed mailboxes → their troubleshooting card → the fix → Re-test →
green → the report, with two slips an admin makes. The CRM server gets a new certificate (the
generated script ran) but its key is never uploaded to the service principal, and the mailboxes
are configured and tested without approving them. Every Test & Enable fails with the approval
alert; the card names the cause (the wizard read the mailboxes) and its fix approves and tests
again. Now they fail with "Failed Authentication"; the card shows what the wizard compared (the
CRM certificate's thumbprint against the principal's keys), its fix opens Entra trust, the upload
and a Re-test turn all 50 green. The exported report holds it all: the changes, the mailbox table,
both cards with what their checks saw, and the certificate's dates."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from webdriver import ROOT, Desktop, wait_for  # noqa: E402
from practice import PRACTICE_PASSWORD, export_report, run_crm_script, sign_in  # noqa: E402

APP = os.environ.get("HYBRIDSYNC_WIZARD_BIN", os.path.join(ROOT, "target", "debug", "hybridsync-wizard"))


class Troubleshooting(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out = tempfile.mkdtemp(prefix="hybridsync-e2e-save-")
        cls.desktop = Desktop(APP, {"HYBRIDSYNC_SAVE_PATH_FOR_TESTS": cls.out})
        cls.s = cls.desktop.session()

    @classmethod
    def tearDownClass(cls):
        cls.s.quit()
        cls.desktop.close()

    def watch_results(self):
        s = self.s
        s.wait('[data-testid="mb-watching"]', timeout=30)
        wait_for(lambda: not s.find_all('[data-testid="mb-watching"]'), 120, "the test's results")

    def test_1_sign_in_and_create_the_profile(self):
        s = self.s
        type(self).base_url = sign_in(s, self.desktop)
        s.click(s.wait('[data-testid="step-profile"]'))
        url = s.wait('[data-testid="crm-url"]')
        wait_for(lambda: (s.attr(url, "value") or "").endswith("/contoso"), 30, "the practice organization's address")
        s.click(s.wait('[data-testid="profile-check"]'))
        s.wait_text('[data-testid="profile-change"]', lambda t: "(new profile)" in t, timeout=60)
        s.click(s.wait('[data-testid="profile-apply"]'))
        s.wait_text('[data-testid="step-profile"]', lambda t: "done" in t, timeout=60)

    def test_2_a_new_certificate_goes_to_the_crm_server_but_not_to_the_service_principal(self):
        s = self.s
        s.click(s.wait('[data-testid="step-certificate"]'))
        s.click(s.wait('[data-testid="cert-generate"]'))
        type(self).thumb = s.wait_text('[data-testid="cert-thumbprint"]', lambda t: len(t.strip()) == 40, timeout=60).strip()
        s.click(s.wait('[data-testid="export-cer"]'))
        cer = s.wait_text('[data-testid="export-path"]', lambda t: t.endswith(".cer")).strip()
        # The admin runs the generated script on the CRM server, and skips the Entra trust step.
        run_crm_script(self.desktop, self.base_url, cer)

    def test_3_unapproved_mailboxes_fail_and_the_card_names_the_cause(self):
        s = self.s
        s.click(s.wait('[data-testid="step-mailboxes"]'))
        s.wait_text('[data-testid="mb-total"]', lambda t: t.strip() == "50", timeout=60)
        s.click(s.wait('[data-testid="mb-approve"]'))  # untick: configure and test only
        s.click(s.wait('[data-testid="mb-run"]'))
        s.wait_text('[data-testid="mb-pending"]', lambda t: t.strip() == "0", timeout=120)
        self.assertEqual(s.text(s.wait('[data-testid="mb-failure"]')).strip(), "50")
        self.assertEqual(s.text(s.wait('[data-testid="mb-success"]')).strip(), "0")
        alert = s.wait_text('[data-testid="mb-alert-text"]', lambda t: t.strip() != "", timeout=30)
        self.assertIn("approval", alert.lower())
        card = s.wait('[data-testid="troubleshooting-card"]', timeout=30)
        self.assertEqual(s.attr(card, "data-entry"), "mailbox.approval-required")
        cause = s.wait_text('[data-testid="ts-top-cause"]', lambda t: t.strip() != "")
        self.assertIn("approv", cause.lower())
        # All 50 share the alert: one card. The wizard read their rows: the check failed, and says on which.
        self.assertEqual(len(s.find_all('[data-testid="troubleshooting-card"]')), 1)
        self.assertEqual(s.attr(s.wait('[data-testid="mb-alert"]'), "data-count"), "50")
        check = s.wait('[data-check="mailbox_approved"][data-outcome="failed"]', timeout=30)
        self.assertIn("@contoso.com", s.text(check))

    def test_4_approving_surfaces_the_missing_key_and_the_card_shows_the_comparison(self):
        s = self.s
        s.click(s.wait('[data-testid="ts-fix"]'))
        self.watch_results()
        s.wait_text('[data-testid="mb-alert-text"]', lambda t: "Failed Authentication" in t, timeout=60)
        self.assertEqual(s.text(s.wait('[data-testid="mb-failure"]')).strip(), "50")
        card = s.wait('[data-testid="troubleshooting-card"][data-entry="s2s.failed-authentication"]', timeout=30)
        self.assertIsNotNone(card)
        top = s.wait('[data-testid="ts-top-cause"]')
        self.assertEqual(s.attr(top, "data-status"), "confirmed")
        self.assertIn("service principal", s.text(top))
        check = s.wait('[data-check="sp_has_crm_certificate"][data-outcome="failed"]', timeout=30)
        self.assertIn(self.thumb, s.text(check))

    def test_5_the_fix_opens_entra_trust_and_the_upload_then_retest_turn_them_green(self):
        s = self.s
        s.click(s.wait('[data-testid="ts-fix"]'))
        s.wait_text('#step-heading', lambda t: t.strip() == "Entra trust", timeout=30)
        s.click(s.wait('[data-testid="trust-plan"]'))
        s.wait_text('[data-testid="trust-after"]', lambda t: self.thumb in t, timeout=60)
        s.click(s.wait('[data-testid="trust-apply"]'))
        s.wait_text('[data-testid="trust-done"]', lambda t: "change(s)" in t, timeout=60)
        s.click(s.wait('[data-testid="step-mailboxes"]'))
        s.click(s.wait('[data-testid="ts-retest"]', timeout=60))
        self.watch_results()
        s.wait_text('[data-testid="mb-success"]', lambda t: t.strip() == "50", timeout=60)
        self.assertEqual(s.text(s.wait('[data-testid="mb-failure"]')).strip(), "0")

    def test_6_the_report_holds_the_failures_fixes_and_changes(self):
        s = self.s
        html = export_report(s, self.out)
        self.assertIn("emailrouteraccessapproval", html)
        self.assertIn("keyCredentials", html)
        # The mailbox table, read at export: all 50 ended green.
        self.assertIn("50 mailboxes: 50 enabled, 0 failed", html)
        # Both cards the admin saw are findings, with what the checks saw and the fix.
        self.assertIn("50 mailboxes failed with", html)
        self.assertIn("mailbox.approval-required", html)
        self.assertIn("s2s.failed-authentication", html)
        self.assertIn("sp_has_crm_certificate: failed", html)
        self.assertIn("In the wizard: Upload certificate to the Dynamics service principal.", html)
        # The certificate made in the session, with its dates.
        self.assertIn("S2S certificate made in this session", html)
        self.assertIn(self.thumb, html)
        self.assertNotIn(PRACTICE_PASSWORD, html)
        self.assertNotIn("PRIVATE KEY", html)


if __name__ == "__main__":
    unittest.main(verbosity=2)
