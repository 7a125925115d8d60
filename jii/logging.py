import logging
import re

# /status/<token>/ and the program pages that carry the same token, e.g. /ofp/r/<token>/…
STATUS_TOKEN = re.compile(r"/(status|r)/[^/\s\"']+")


class RedactStatusTokens(logging.Filter):
    """Status-link tokens are credentials: keep them out of every log line (e.g. Django's 404 warnings)."""

    def filter(self, record):
        message = record.getMessage()
        if "/status/" in message or "/r/" in message:
            record.msg = STATUS_TOKEN.sub(r"/\1/[redacted]", message)
            record.args = ()
        return True
