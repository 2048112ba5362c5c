"""A small W3C WebDriver client (standard library only) for driving the real wizard through
tauri-driver + WebKitWebDriver, and the helpers that start Xvfb, tauri-driver and the app."""
import base64
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import http.client
import sys
import urllib.error
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class WebDriverError(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Session:
    def __init__(self, base, application, timeout=60):
        self.base = base
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "wry",
            "tauri:options": {"application": application},
        }}}
        value = self._call("POST", "/session", caps, timeout=timeout)
        self.id = value["sessionId"]

    def _call(self, method, path, body=None, timeout=90):
        # A read (GET, or finding elements) whose connection is dropped is asked again: under load
        # the driver now and then closes a connection without answering. Actions are never repeated.
        read_only = method == "GET" or path.endswith("/elements") or path.endswith("/element")
        attempts = 3 if read_only else 1
        for attempt in range(attempts):
            try:
                return self._once(method, path, body, timeout)
            except (http.client.RemoteDisconnected, ConnectionResetError) as e:
                if attempt + 1 == attempts:
                    raise
                print(f"webdriver: {method} {path} dropped ({e!r}); asking again", file=sys.stderr)
                time.sleep(0.5)

    def _once(self, method, path, body, timeout):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.loads(r.read() or b"{}").get("value")
        except urllib.error.HTTPError as e:
            raise WebDriverError(f"{method} {path}: {e.code} {e.read()[:500]!r}") from None

    def s(self, path):
        return f"/session/{self.id}{path}"

    def find_all(self, css):
        found = self._call("POST", self.s("/elements"), {"using": "css selector", "value": css})
        return [e[ELEMENT] for e in found]

    def wait(self, css, timeout=30, visible=True):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for el in self.find_all(css):
                if not visible or self._call("GET", self.s(f"/element/{el}/displayed")):
                    return el
            time.sleep(0.1)
        raise WebDriverError(f"no visible element {css!r} within {timeout} s")

    def wait_text(self, css, predicate, timeout=20):
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            for el in self.find_all(css):
                last = self.text(el)
                if predicate(last):
                    return last
            time.sleep(0.1)
        raise WebDriverError(f"{css!r} never matched; last text {last!r}")

    def click(self, el):
        try:
            self._call("POST", self.s(f"/element/{el}/click"), {})
        except WebDriverError as e:
            # WebKitWebDriver scrolls an element only to the edge of the view, where a page's own
            # layout can cover it; centre it and click once more (a real failure fails again).
            if "element not interactable" not in str(e):
                raise
            self.script("arguments[0].scrollIntoView({block: 'center'});", {ELEMENT: el})
            self._call("POST", self.s(f"/element/{el}/click"), {})

    def clear(self, el):
        self._call("POST", self.s(f"/element/{el}/clear"), {})

    def type(self, el, text):
        self._call("POST", self.s(f"/element/{el}/value"), {"text": text})

    def text(self, el):
        return self._call("GET", self.s(f"/element/{el}/text"))

    def attr(self, el, name):
        return self._call("GET", self.s(f"/element/{el}/attribute/{name}"))

    def script(self, js, *args):
        return self._call("POST", self.s("/execute/sync"), {"script": js, "args": list(args)})

    def screenshot(self, path):
        png = base64.b64decode(self._call("GET", self.s("/screenshot")))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(png)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)

    def quit(self):
        try:
            self._call("DELETE", self.s(""))
        except Exception:
            pass


class Desktop:
    """Xvfb + tauri-driver with a private HOME, so the app starts as on a new machine."""

    def __init__(self, app, extra_env=None):
        self.app = app
        self.home = tempfile.mkdtemp(prefix="hybridsync-e2e-")
        self.procs = []
        self.display = f":{free_display()}"
        self.procs.append(subprocess.Popen(
            ["Xvfb", self.display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for(lambda: os.path.exists(f"/tmp/.X11-unix/X{self.display[1:]}"), 10, "Xvfb")
        env = dict(os.environ)
        env.update({
            "DISPLAY": self.display,
            "HOME": self.home,
            "XDG_CACHE_HOME": os.path.join(self.home, "cache"),
            "XDG_DATA_HOME": os.path.join(self.home, "data"),
            "XDG_CONFIG_HOME": os.path.join(self.home, "config"),
            "HYBRIDSYNC_HOME": os.path.join(self.home, "hybridsync"),
        })
        env.pop("WAYLAND_DISPLAY", None)
        # Inside the test's private D-Bus session the GTK accessibility bridge would start an AT-SPI
        # bus of its own, which stalls WebKitGTK under WebDriver; no screen reader runs here.
        env["NO_AT_BRIDGE"] = "1"
        env.update(extra_env or {})
        self.env = env
        port, native = free_port(), free_port()
        driver = shutil.which("tauri-driver") or os.path.expanduser("~/.cargo/bin/tauri-driver")
        self.log = open(os.path.join(self.home, "tauri-driver.log"), "w")
        self.procs.append(subprocess.Popen(
            [driver, "--port", str(port), "--native-port", str(native)],
            env=env, stdout=self.log, stderr=subprocess.STDOUT))
        self.base = f"http://127.0.0.1:{port}"
        wait_for(self._ready, 20, "tauri-driver")

    def _ready(self):
        try:
            with urllib.request.urlopen(self.base + "/status", timeout=2) as r:
                return r.status == 200
        except Exception:
            return False

    def session(self):
        return Session(self.base, self.app)

    def close(self):
        for p in reversed(self.procs):
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        self.log.close()
        # The app itself is a child of WebKitWebDriver; make sure none outlives the test.
        subprocess.run(["pkill", "-f", self.app], check=False)
        shutil.rmtree(self.home, ignore_errors=True)


def free_display():
    for n in range(90, 200):
        if not os.path.exists(f"/tmp/.X11-unix/X{n}") and not os.path.exists(f"/tmp/.X{n}-lock"):
            return n
    raise RuntimeError("no free X display number")


def wait_for(pred, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start within {timeout} s")
