"""Start-up benchmark of the desktop app under Xvfb: time until the first step is interactive (the
UI calls `ui_ready`), resident memory of the app with its WebKit processes, and the binary's size.
Prints one JSON object. Usage: python3 tests/bench/startup.py [--runs N] [--bin PATH]"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from webdriver import ROOT, free_display, wait_for  # noqa: E402


def tree(pid):
    """The pid and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


def memory_kb(pid, field):
    """VmRSS from status, or Pss from smaps_rollup (shared pages divided among the processes)."""
    path = f"/proc/{pid}/smaps_rollup" if field == "Pss" else f"/proc/{pid}/status"
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def one_run(binary, display, mode):
    home = tempfile.mkdtemp(prefix="hybridsync-bench-")
    probe = os.path.join(home, "probe.json")
    hs = os.path.join(home, "hybridsync")
    os.makedirs(os.path.join(hs, "config"))
    with open(os.path.join(hs, "config", "settings.toml"), "w") as f:
        f.write(f'mode = "{mode}"\n')
    env = dict(os.environ, DISPLAY=display, HOME=home, HYBRIDSYNC_HOME=hs, HYBRIDSYNC_STARTUP_PROBE=probe,
               XDG_CACHE_HOME=os.path.join(home, "cache"), XDG_DATA_HOME=os.path.join(home, "data"),
               XDG_CONFIG_HOME=os.path.join(home, "config"))
    t0 = time.monotonic()
    app = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: os.path.exists(probe), 60, "the first step")
        interactive = time.monotonic() - t0
        time.sleep(1.0)  # let the page settle before reading memory
        pids = tree(app.pid)
        rss = sum(memory_kb(p, "VmRSS") for p in pids)
        pss = sum(memory_kb(p, "Pss") for p in pids)
        with open(probe) as f:
            inner = json.load(f)
        parts = {}
        for p in pids:
            try:
                with open(f"/proc/{p}/comm") as f:
                    name = f.read().strip()
            except OSError:
                continue
            parts[name] = round(memory_kb(p, "Pss") / 1024, 1)
        return {"interactive_s": interactive, "rss_mb": rss / 1024, "pss_mb": pss / 1024,
                "processes": len(pids), "pss_mb_by_process": parts,
                "since_process_start_ms": inner["since_start_ms"]}
    finally:
        app.terminate()
        try:
            app.wait(timeout=10)
        except subprocess.TimeoutExpired:
            app.kill()
        shutil.rmtree(home, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "hybridsync-wizard"))
    ap.add_argument("--mode", default="practice", choices=["practice", "microsoft"])
    a = ap.parse_args()
    display = f":{free_display()}"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: os.path.exists(f"/tmp/.X11-unix/X{display[1:]}"), 10, "Xvfb")
        one_run(a.bin, display, a.mode)  # warm-up: WebKit's first start compiles shaders and fills caches
        runs = [one_run(a.bin, display, a.mode) for _ in range(a.runs)]
    finally:
        xvfb.terminate()
    med = lambda k: round(statistics.median(r[k] for r in runs), 3)
    print(json.dumps({
        "binary": os.path.relpath(a.bin, ROOT),
        "binary_mb": round(os.path.getsize(a.bin) / 1e6, 2),
        "mode": a.mode,
        "runs": a.runs,
        "interactive_s_median": med("interactive_s"),
        "interactive_s_max": round(max(r["interactive_s"] for r in runs), 3),
        "rss_mb_median": med("rss_mb"),
        "pss_mb_median": med("pss_mb"),
        "processes": runs[0]["processes"],
        "pss_mb_by_process": runs[-1]["pss_mb_by_process"],
        "goals": {"interactive_s": 1.0, "memory_mb": 150},
    }, indent=2))


if __name__ == "__main__":
    main()
