"""Desktop end to end: the real wizard under Xvfb, driven through tauri-driver + WebKitWebDriver."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from webdriver import ROOT, Desktop  # noqa: E402

APP = os.environ.get("HYBRIDSYNC_WIZARD_BIN", os.path.join(ROOT, "target", "debug", "hybridsync-wizard"))
CONTOSO = "3f2a6c1e-8b4d-4e7a-9c15-2d6b8e0f4a91"
SCREENSHOT = os.path.join(ROOT, "docs", "wizard-tenant.png")


class TenantDiscovery(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.desktop = Desktop(APP)
        cls.s = cls.desktop.session()

    @classmethod
    def tearDownClass(cls):
        cls.s.quit()
        cls.desktop.close()

    def test_1_first_start_offers_the_practice_tenant_and_finds_its_tenant_id(self):
        s = self.s
        s.click(s.wait('[data-testid="choose-practice"]', timeout=40))
        badge = s.wait_text('[data-testid="mode-badge"]', lambda t: "ractice" in t)
        self.assertIn("Practice", badge)
        current = s.wait('[aria-current="step"]')
        self.assertIn("Tenant", s.text(current))
        field = s.wait('[data-testid="tenant-input"]')
        s.type(field, "Contoso.com")
        s.click(s.wait('[data-testid="find-tenant"]'))
        tid = s.wait_text('[data-testid="tenant-id"]', lambda t: CONTOSO in t, timeout=30)
        self.assertIn(CONTOSO, tid)
        region = s.wait_text('[data-testid="region-scope"]', lambda t: t.strip() != "")
        self.assertIn("NA", region)
        s.screenshot(SCREENSHOT)
        self.assertGreater(os.path.getsize(SCREENSHOT), 10_000)

    def test_2_an_unknown_domain_shows_the_troubleshooting_card(self):
        s = self.s
        field = s.wait('[data-testid="tenant-input"]')
        s.clear(field)
        s.type(field, "nosuch.example")
        s.click(s.wait('[data-testid="find-tenant"]'))
        msg = s.wait_text('[data-testid="error-message"]', lambda t: "not found" in t.lower(), timeout=30)
        self.assertIn("nosuch.example", msg)
        code = s.wait_text('[data-testid="error-code"]', lambda t: t.strip() != "")
        self.assertIn("tenant_not_found", code)

    def test_3_the_choice_is_remembered(self):
        settings = os.path.join(self.desktop.home, "hybridsync", "config", "settings.toml")
        with open(settings) as f:
            self.assertIn('mode = "practice"', f.read())


if __name__ == "__main__":
    unittest.main(verbosity=2)
