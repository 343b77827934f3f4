"""Log records as JSON lines, for collectors that parse them (LOG_FORMAT=json).

The same fields as the plain format and nothing more: level, logger and message (and the
traceback of an exception). No time of its own, as the plain format has none: the process
manager or collector stamps lines, and a line that names an artwork must not carry a time
from the portal. Filters on the handler (redaction) run before this formatter, so the
message is already what may be logged. It imports nothing from Django: gunicorn's master
process uses it before Django starts.
"""

import json
import logging


class JsonLinesFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"level": record.levelname, "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        # One line however many the message has: json escapes newlines.
        return json.dumps(line, ensure_ascii=False)
