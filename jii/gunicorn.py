"""gunicorn's access log, redacted like the site's own logs (jii.logging): the request line, path, query and
referrer of a status link or a donor's link carry its token. Used with `--logger-class jii.gunicorn.Logger`."""

from gunicorn.glogging import Logger as GunicornLogger

from jii.logging import redact


class Logger(GunicornLogger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
