"""Desktop end to end: the real wizard under Xvfb, driven through tauri-driver + WebKitWebDriver."""
import os
import ssl
import subprocess
import sys
import unittest
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from webdriver import ROOT, Desktop  # noqa: E402

APP = os.environ.get("HYBRIDSYNC_WIZARD_BIN", os.path.join(ROOT, "target", "debug", "hybridsync-wizard"))
CONTOSO = "3f2a6c1e-8b4d-4e7a-9c15-2d6b8e0f4a91"
SCREENSHOT = os.path.join(ROOT, "docs", "wizard-tenant.png")
# The practice tenant's seeded Global Administrator (crates/practice-tenant/src/identity/users.rs).
ADMIN = "admin@contoso.onmicrosoft.com"
PRACTICE_PASSWORD = "Practice-Passw0rd!"


def keychain_entries():
    """Refresh-token entries the app left in the Secret Service (secret-tool, libsecret-tools)."""
    out = subprocess.run(["secret-tool", "search", "--all", "service", "hybridsync"],
                         capture_output=True, text=True, check=False)
    return [l for l in (out.stdout + out.stderr).splitlines() if l.startswith("attribute.username = refresh-token:")]


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
        # The knowledge base explains it: title, the most likely cause, the fix.
        title = s.wait_text('[data-testid="ts-title"]', lambda t: t.strip() != "")
        self.assertIn("No Microsoft 365 tenant found", title)
        cause = s.wait_text('[data-testid="ts-top-cause"]', lambda t: t.strip() != "")
        self.assertIn("misspelt", cause)
        self.assertIn(".onmicrosoft.com", s.text(s.wait('[data-testid="ts-instructions"]')))

    def test_3_the_choice_is_remembered(self):
        settings = os.path.join(self.desktop.home, "hybridsync", "config", "settings.toml")
        with open(settings) as f:
            self.assertIn('mode = "practice"', f.read())

    @unittest.skipUnless(os.environ.get("DBUS_SESSION_BUS_ADDRESS"), "needs a Secret Service: run through scripts/e2e.sh")
    def test_4_device_code_sign_in_keeps_the_token_in_the_keychain_only(self):
        s = self.s
        # The other end-to-end files' apps (each with a home of its own) may have left their
        # sign-ins in this test keychain: this app's is the one entry its sign-in adds.
        before = set(keychain_entries())
        s.click(s.wait('[data-testid="step-signin"]'))
        s.click(s.wait('[data-testid="signin-device-code"]'))
        code = s.wait_text('[data-testid="device-user-code"]', lambda t: len(t.strip()) >= 6, timeout=30).strip()
        uri = s.wait_text('[data-testid="device-verification-uri"]', lambda t: t.startswith("https://")).strip()
        # The admin enters the code on the verification page (here over HTTPS, trusting the practice CA).
        ca = os.path.join(self.desktop.home, "hybridsync", "data", "practice", "practice-ca.pem")
        form = urllib.parse.urlencode({"user_code": code, "username": ADMIN,
                                       "password": PRACTICE_PASSWORD, "action": "approve"}).encode()
        ctx = ssl.create_default_context(cafile=ca)
        with urllib.request.urlopen(urllib.request.Request(uri, data=form), context=ctx, timeout=20) as r:
            self.assertEqual(r.status, 200)
        user = s.wait_text('[data-testid="signed-in-user"]', lambda t: ADMIN in t, timeout=60)
        self.assertIn(ADMIN, user)
        roles = s.wait_text('[data-testid="signed-in-roles"]', lambda t: "Global Administrator" in t)
        self.assertIn("Global Administrator", roles)
        tenant = s.wait_text('[data-testid="signed-in-tenant"]', lambda t: CONTOSO in t)
        self.assertIn(CONTOSO, tenant)
        added = set(keychain_entries()) - before
        self.assertEqual(len(added), 1, "the refresh token is not in the keychain")
        # Nothing on disk holds a token: the only sign-in file names the tenant and the account.
        for folder, _, files in os.walk(os.path.join(self.desktop.home, "hybridsync")):
            for name in files:
                with open(os.path.join(folder, name), "rb") as f:
                    data = f.read()
                self.assertNotIn(b"refresh_token", data, name)
                self.assertNotIn(b"eyJ", data, f"{name} holds a JWT")
        s.click(s.wait('[data-testid="sign-out"]'))
        s.wait('[data-testid="signin-device-code"]')
        self.assertEqual(set(keychain_entries()) & added, set(), "sign-out left the refresh token in the keychain")
        self.assertEqual(set(keychain_entries()), before, "sign-out removed exactly its own entry")


if __name__ == "__main__":
    unittest.main(verbosity=2)
