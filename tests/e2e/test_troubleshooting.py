"""Desktop end to end, issue 8: a failed mailbox → its troubleshooting card → the fix → Re-test →
green → the report. On the practice tenant the mailboxes are configured and tested without
approving them, so every Test & Enable fails with the approval alert; the card names the cause and
its fix button ("approve, then test again") turns them green; the exported report holds it all."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from webdriver import ROOT, Desktop, wait_for  # noqa: E402
from practice import PRACTICE_PASSWORD, export_report, sign_in  # noqa: E402

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

    def test_1_sign_in_and_create_the_profile(self):
        s = self.s
        sign_in(s, self.desktop)
        s.click(s.wait('[data-testid="step-profile"]'))
        url = s.wait('[data-testid="crm-url"]')
        wait_for(lambda: (s.attr(url, "value") or "").endswith("/contoso"), 30, "the practice organization's address")
        s.click(s.wait('[data-testid="profile-check"]'))
        s.wait_text('[data-testid="profile-change"]', lambda t: "(new profile)" in t, timeout=60)
        s.click(s.wait('[data-testid="profile-apply"]'))
        s.wait_text('[data-testid="step-profile"]', lambda t: "done" in t, timeout=60)

    def test_2_unapproved_mailboxes_fail_and_the_card_names_the_cause(self):
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

    def test_3_the_fix_and_retest_turn_every_mailbox_green(self):
        s = self.s
        s.click(s.wait('[data-testid="ts-fix"]'))
        s.wait('[data-testid="mb-watching"]', timeout=30)
        wait_for(lambda: not s.find_all('[data-testid="mb-watching"]'), 120, "the re-test's results")
        s.wait_text('[data-testid="mb-success"]', lambda t: t.strip() == "50", timeout=60)
        self.assertEqual(s.text(s.wait('[data-testid="mb-failure"]')).strip(), "0")

    def test_4_the_report_holds_the_failure_fix_and_changes(self):
        s = self.s
        html = export_report(s, self.out)
        self.assertIn("emailrouteraccessapproval", html)
        self.assertNotIn(PRACTICE_PASSWORD, html)


if __name__ == "__main__":
    unittest.main(verbosity=2)
