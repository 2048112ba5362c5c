"""Desktop end to end: the Directory readiness and Connectivity steps of the real wizard, through the
real Rust commands (a real LDIF file; a loopback SMTP listener behind a simulated firewall fixup)."""
import os
import shutil
import socket
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from webdriver import ROOT, Desktop  # noqa: E402

APP = os.environ.get("HYBRIDSYNC_WIZARD_BIN", os.path.join(ROOT, "target", "debug", "hybridsync-wizard"))

LDIF = """dn: CN=Jos\u00e9,OU=Staff,DC=contoso,DC=local
objectClass: user
userPrincipalName: jos\u00e9@contoso.local

dn: CN=Ann,OU=Staff,DC=contoso,DC=local
objectClass: user
userPrincipalName: ann@contoso.com
mail: ann@contoso.com
"""


def fixup_smtp_server():
    """An SMTP listener on 127.0.0.1 whose banner and STARTTLS are masked as a Cisco fixup does."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)

    def serve():
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            with conn:
                f = conn.makefile("rwb")
                f.write(b"220 *******************************2*0*0****2*0*0*******\r\n")
                f.flush()
                for line in f:
                    cmd = line.strip().upper()
                    if cmd.startswith(b"EHLO"):
                        f.write(b"250-mail.contoso.com Hello\r\n250-XXXXXXXA\r\n250 8BITMIME\r\n")
                    elif cmd == b"QUIT":
                        f.write(b"221 Bye\r\n")
                        f.flush()
                        break
                    else:
                        f.write(b"500 unrecognised\r\n")
                    f.flush()

    threading.Thread(target=serve, daemon=True).start()
    return srv


class Readiness(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hybridsync-readiness-")
        cls.ldif = os.path.join(cls.tmp, "contoso.ldf")
        with open(cls.ldif, "w", encoding="utf-8") as f:
            f.write(LDIF)
        cls.smtp = fixup_smtp_server()
        cls.desktop = Desktop(APP)
        cls.s = cls.desktop.session()
        cls.s.click(cls.s.wait('[data-testid="choose-microsoft"]', timeout=40))

    @classmethod
    def tearDownClass(cls):
        cls.s.quit()
        cls.desktop.close()
        cls.smtp.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_1_directory_scan_of_an_ldif_export(self):
        s = self.s
        s.click(s.wait('[data-testid="step-directory"]'))
        s.type(s.wait('[data-testid="export-path"]'), self.ldif)
        s.type(s.wait('[data-testid="upn-suffix"]'), "contoso.com")
        s.click(s.wait('[data-testid="scan"]'))
        count = s.wait_text('[data-testid="grid-count"]', lambda t: "findings" in t, timeout=30)
        self.assertEqual(count.strip(), "2 of 2 findings")
        texts = s.script("return Array.from(document.querySelectorAll('[data-testid=grid-row]')).map(r => r.textContent).join(' | ')")
        if os.environ.get("HYBRIDSYNC_E2E_SHOTS"):
            s.script("document.querySelector('[data-testid=findings-heading], #findings-heading').scrollIntoView()")
            s.screenshot(os.path.join(os.environ["HYBRIDSYNC_E2E_SHOTS"], "directory.png"))
        self.assertIn("diacritic", texts)
        self.assertIn("non_routable_suffix", texts)
        self.assertIn("jose@contoso.com", texts)

    def test_2_a_missing_export_shows_the_error_card(self):
        s = self.s
        field = s.wait('[data-testid="export-path"]')
        s.clear(field)
        s.type(field, os.path.join(self.tmp, "missing.ldf"))
        s.click(s.wait('[data-testid="scan"]'))
        code = s.wait_text('[data-testid="error-code"]', lambda t: t.strip() != "", timeout=30)
        self.assertIn("file_unreadable", code)

    def test_3_connectivity_finds_the_smtp_fixup(self):
        s = self.s
        s.click(s.wait('[data-testid="step-connectivity"]'))
        port = self.smtp.getsockname()[1]
        s.type(s.wait('[data-testid="probe-smtp"]'), f"127.0.0.1:{port}")
        # Outbound checks stay on this machine: a closed loopback port.
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        closed_port = closed.getsockname()[1]
        closed.close()
        s.type(s.wait('[data-testid="probe-outbound"]'), f"https://127.0.0.1:{closed_port}/")
        s.click(s.wait('[data-testid="run-probes"]'))
        s.wait('[data-testid="probe-tree"]', timeout=40)
        fixup = s.wait('[data-testid="probe-node"][data-code="smtp_fixup_banner"]')
        self.assertEqual(s.attr(fixup, "data-status"), "fail")
        self.assertIn("inspect esmtp", s.text(fixup))
        if os.environ.get("HYBRIDSYNC_E2E_SHOTS"):
            s.script("document.querySelector('[data-testid=probe-tree]').scrollIntoView()")
            s.screenshot(os.path.join(os.environ["HYBRIDSYNC_E2E_SHOTS"], "connectivity.png"))
        unreachable = s.wait('[data-testid="probe-node"][data-code="tcp_unreachable"]')
        self.assertEqual(s.attr(unreachable, "data-status"), "fail")


if __name__ == "__main__":
    unittest.main(verbosity=2)
