import logging
import re

STATUS_TOKEN = re.compile(r"/status/[^/\s\"']+")


class RedactStatusTokens(logging.Filter):
    """Status-link tokens are credentials: keep them out of every log line (e.g. Django's 404 warnings)."""

    def filter(self, record):
        message = record.getMessage()
        if "/status/" in message:
            record.msg = STATUS_TOKEN.sub("/status/[redacted]", message)
            record.args = ()
        return True
