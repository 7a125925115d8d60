import logging
import re

# /status/<token>/, the program pages that carry the same token (/ofp/r/<token>/…), a donor's /manage/<token>/
# and /history/<token>/, a tutor's calendar /tutor/<token>/
STATUS_TOKEN = re.compile(r"/(status|r|manage|history|tutor)/[^/\s\"']+")
# What coordinators type into admin searches (?q=…) may be a resident's name or email.
SEARCH = re.compile(r"([?&]q=)[^&\s\"']*")


def redact(text: str) -> str:
    if any(part in text for part in ("/status/", "/r/", "/manage/", "/history/", "/tutor/", "q=")):
        return SEARCH.sub(r"\1[redacted]", STATUS_TOKEN.sub(r"/\1/[redacted]", text))
    return text


class RedactStatusTokens(logging.Filter):
    """Keep status-link tokens (credentials) and admin search terms (personal data) out of every log line,
    e.g. Django's 404 warnings and the access log."""

    def filter(self, record):
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
