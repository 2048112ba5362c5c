"""Shared steps of the desktop end-to-end tests on the practice tenant: its admin, the TLS context
that trusts its CA, and the device-code sign-in approved on its verification page."""
import base64
import hashlib
import json
import os
import ssl
import time
import urllib.parse
import urllib.request

from webdriver import WebDriverError

ADMIN = "admin@contoso.onmicrosoft.com"
CONTOSO = "3f2a6c1e-8b4d-4e7a-9c15-2d6b8e0f4a91"
PRACTICE_PASSWORD = "Practice-Passw0rd!"


def practice_tls(desktop):
    """A TLS context that trusts the practice tenant's CA (written when the app started it)."""
    ca = os.path.join(desktop.home, "hybridsync", "data", "practice", "practice-ca.pem")
    return ssl.create_default_context(cafile=ca)


def wait_enabled(s, css, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        el = s.wait(css, timeout=timeout)
        if s.attr(el, "disabled") is None:
            return el
        time.sleep(0.2)
    raise WebDriverError(f"{css!r} never became enabled within {timeout} s")


def sign_in(s, desktop, user=ADMIN):
    """Chooses the practice tenant, signs in with a device code approved as `user`, waits until the
    app shows who is signed in, and returns the practice tenant's base URL."""
    s.click(s.wait('[data-testid="choose-practice"]', timeout=40))
    s.click(s.wait('[data-testid="step-signin"]'))
    s.click(wait_enabled(s, '[data-testid="signin-device-code"]'))
    code = s.wait_text('[data-testid="device-user-code"]', lambda t: len(t.strip()) >= 6, timeout=30).strip()
    uri = s.wait_text('[data-testid="device-verification-uri"]', lambda t: t.startswith("https://")).strip()
    form = urllib.parse.urlencode({"user_code": code, "username": user,
                                   "password": PRACTICE_PASSWORD, "action": "approve"}).encode()
    with urllib.request.urlopen(urllib.request.Request(uri, data=form), context=practice_tls(desktop), timeout=20) as r:
        if r.status != 200:
            raise WebDriverError(f"the verification page answered {r.status}")
    s.wait_text('[data-testid="signed-in-user"]', lambda t: user in t, timeout=60)
    return uri.rsplit("/devicelogin", 1)[0]


def export_report(s, out_dir):
    """Exports the session report from the Report step (the save dialog answered by `out_dir`),
    checks the file is there with the SHA-256 the app shows, and returns its text."""
    s.click(s.wait('[data-testid="step-report"]'))
    s.click(s.wait('[data-testid="report-export"]'))
    path = s.wait_text('[data-testid="report-path"]', lambda t: t.strip() != "", timeout=30).strip()
    sha = s.text(s.wait('[data-testid="report-sha256"]')).strip()
    if os.path.dirname(path) != out_dir:
        raise WebDriverError(f"the report went to {path}, not into {out_dir}")
    with open(path, "rb") as f:
        data = f.read()
    if hashlib.sha256(data).hexdigest() != sha:
        raise WebDriverError(f"the SHA-256 shown ({sha}) is not the file's")
    return data.decode()


def run_crm_script(desktop, base, cer_path):
    """"Runs" the generated CRM-server script on the practice CRM deployment with the certificate
    of `cer_path` (a Base-64 .cer the app exported) and returns the result file the script writes."""
    with open(cer_path) as f:
        der_b64 = "".join(l.strip() for l in f if l.strip() and not l.startswith("-----"))
    if not base64.b64decode(der_b64):
        raise WebDriverError(f"{cer_path} holds no certificate")
    run = json.dumps({"certificate": der_b64, "service_account": "CONTOSO\\svc-crm-async", "organization": "contoso",
                      "tenant_id": CONTOSO, "principal_id": "00000001-0000-0000-c000-000000000000",
                      "metadata_url": "https://accounts.accesscontrol.windows.net/metadata/json/1"}).encode()
    req = urllib.request.Request(base + "/_practice/crm/run-script", data=run, headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, context=practice_tls(desktop), timeout=20) as r:
        return r.read()
