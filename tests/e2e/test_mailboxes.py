"""Desktop end to end, issues 7 and 8: on the practice tenant, create the email server profile
(the diff first), configure, approve and test the 50 practice mailboxes, watch them turn green with
one red (the unlicensed one, set by the HYBRIDSYNC_PRACTICE_UNLICENSED demo hook) showing its alert
and troubleshooting card, whose checks confirm the missing Exchange Online licence from Graph, then export the session report: it holds the profile and mailbox changes."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from webdriver import ROOT, Desktop, wait_for  # noqa: E402
from practice import PRACTICE_PASSWORD, export_report, sign_in  # noqa: E402

APP = os.environ.get("HYBRIDSYNC_WIZARD_BIN", os.path.join(ROOT, "target", "debug", "hybridsync-wizard"))
UNLICENSED = "user00007@contoso.com"


class Mailboxes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out = tempfile.mkdtemp(prefix="hybridsync-e2e-save-")
        cls.desktop = Desktop(APP, {"HYBRIDSYNC_SAVE_PATH_FOR_TESTS": cls.out, "HYBRIDSYNC_PRACTICE_UNLICENSED": UNLICENSED})
        cls.s = cls.desktop.session()

    @classmethod
    def tearDownClass(cls):
        cls.s.quit()
        cls.desktop.close()

    def test_1_sign_in_to_the_practice_tenant(self):
        sign_in(self.s, self.desktop)

    def test_2_the_profile_is_created_after_its_diff(self):
        s = self.s
        s.click(s.wait('[data-testid="step-profile"]'))
        url = s.wait('[data-testid="crm-url"]')
        wait_for(lambda: (s.attr(url, "value") or "").endswith("/contoso"), 30, "the practice organization's address")
        s.type(s.wait('[data-testid="profile-polling"]'), "5")
        s.click(s.wait('[data-testid="profile-check"]'))
        s.wait_text('[data-testid="profile-change"]', lambda t: "(new profile)" in t, timeout=60)
        apply = s.wait('[data-testid="profile-apply"]')
        self.assertEqual(s.text(apply).strip(), "Create profile")
        s.click(apply)
        s.wait_text('[data-testid="profile-done"]', lambda t: "change(s)" in t, timeout=60)
        s.wait('[data-testid="profile-test"]')
        s.wait_text('[data-testid="step-profile"]', lambda t: "done" in t)
        # Checked again: the profile exists and nothing is left to change.
        s.click(s.wait('[data-testid="profile-check"]'))
        s.wait('[data-testid="profile-nothing"]', timeout=60)
        self.assertEqual(s.text(s.wait('[data-testid="profile-apply"]')).strip(), "Update profile")

    def test_3_fifty_mailboxes_turn_green_with_one_red(self):
        s = self.s
        s.click(s.wait('[data-testid="step-mailboxes"]'))
        s.wait_text('[data-testid="mb-total"]', lambda t: t.strip() == "50", timeout=60)
        run = s.wait('[data-testid="mb-run"]')
        self.assertEqual(s.text(run).strip(), "Configure, approve and test 50 mailboxes")
        s.click(run)
        s.wait_text('[data-testid="mb-pending"]', lambda t: t.strip() == "0", timeout=120)
        self.assertEqual(s.text(s.wait('[data-testid="mb-success"]')).strip(), "49")
        self.assertEqual(s.text(s.wait('[data-testid="mb-failure"]')).strip(), "1")
        alert = s.wait_text('[data-testid="mb-alert-text"]', lambda t: t.strip() != "", timeout=30)
        self.assertIn("401", alert)
        self.assertEqual(len(s.find_all('[data-testid="mb-alert"]')), 1)
        s.wait('[data-testid="troubleshooting-card"]', timeout=30)
        # The card's checks read the user in Graph: its E3 has Exchange Online turned off, so the
        # licence is the confirmed cause, and the address (which Exchange knows) is ruled out.
        top = s.wait_text('[data-testid="ts-top-cause"]', lambda t: "licence" in t, timeout=30)
        self.assertIn("licence", top)
        self.assertEqual(s.attr(s.wait('[data-testid="ts-top-cause"]'), "data-status"), "confirmed")
        licence = s.wait('li[data-check="exchange_online_licensed"]')
        self.assertEqual(s.attr(licence, "data-outcome"), "failed")
        self.assertIn(UNLICENSED, s.text(licence))
        self.assertIn("no enabled Exchange Online plan", s.text(licence))
        self.assertEqual(s.attr(s.wait('li[data-check="mailbox_address_matches_exchange"]'), "data-outcome"), "passed")
        # Re-test schedules the test again: the license is still missing, so it stays red.
        s.click(s.wait('[data-testid="ts-retest"]'))
        s.wait('[data-testid="mb-watching"]', timeout=30)
        wait_for(lambda: not s.find_all('[data-testid="mb-watching"]'), 120, "the re-test's results")
        self.assertEqual(s.text(s.wait('[data-testid="mb-failure"]')).strip(), "1")
        self.assertEqual(s.text(s.wait('[data-testid="mb-success"]')).strip(), "49")

    def test_4_the_session_report_holds_the_profile_and_mailbox_changes(self):
        s = self.s
        html = export_report(s, self.out)
        self.assertIn("Email server profile", html)
        self.assertIn("Configure, approve and test mailboxes", html)
        self.assertIn("dynamics:emailserverprofiles/", html)
        self.assertIn("dynamics:mailboxes[all]", html)
        self.assertIn("server-side sync", html)
        # The mailbox table and the card: the red one names its entry, and the licence the check saw.
        self.assertIn("50 mailboxes: 49 enabled, 1 failed", html)
        self.assertIn(UNLICENSED, html)
        self.assertIn("sss.http-401", html)
        self.assertIn("exchange_online_licensed: failed", html)
        # Who ran it, and against which organization and version (WhoAmI and RetrieveVersion).
        self.assertIn("operator admin@contoso.onmicrosoft.com", html)
        self.assertIn("<th scope=row>CRM organization</th><td>contoso</td>", html)
        self.assertIn("<th scope=row>CRM version</th><td>9.1.0.0</td>", html)
        self.assertNotIn(PRACTICE_PASSWORD, html)


if __name__ == "__main__":
    unittest.main(verbosity=2)
