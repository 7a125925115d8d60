"""gunicorn's access log, as the image runs it (the Dockerfile's --logger-class), keeps links' tokens and admin
searches out: a status link's token is a key to a resident's page."""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "Ab3dE.secret-status-token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_access_log_has_no_token_no_search_and_no_referring_token(tmp_path):
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert '"--logger-class", "jii.gunicorn.Logger"' in dockerfile and '"--access-logfile", "-"' in dockerfile
    port, log = free_port(), tmp_path / "access.log"
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", "1", "--logger-class", "jii.gunicorn.Logger", "--access-logfile", str(log)]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Paths that carry a token but need no database: the site answers 404 after the log line is written.
        paths = [f"/en/status/{TOKEN}/line/nothing/", f"/en/donate/history/{TOKEN}/nothing/", "/en/x/?q=Nguyen+Lan"]
        for path in paths:
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Referer": f"/status/{TOKEN}/"})
            for _attempt in range(300):
                try:
                    # A long read timeout: a new worker's first answer loads the whole site (slow on a busy machine).
                    urllib.request.urlopen(request, timeout=60)  # noqa: S310 (http to our own server)
                except urllib.error.HTTPError:
                    break  # the 404 we asked for
                except urllib.error.URLError:
                    time.sleep(0.1)  # gunicorn still starting
    finally:
        server.terminate()
        server.wait(timeout=10)
    lines = log.read_text().splitlines()
    assert len(lines) == 3 and all('" 404 ' in line for line in lines)
    assert "/en/status/[redacted]/line/nothing/" in lines[0] and "/history/[redacted]/nothing/" in lines[1]
    assert "q=[redacted]" in lines[2]
    assert '"/status/[redacted]/"' in lines[2]  # the referrer
    assert not any(TOKEN in line or "Nguyen" in line for line in lines)
