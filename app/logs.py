"""Logging to Hearth's log file.

Details (tracebacks, native llama.cpp messages) go to the log file; people see one-line
messages. The engine process logs to the same file.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOG_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"


def configure_file_logging(log_file: Path, level: int = logging.INFO) -> None:
    """Send the `hearth` loggers to `log_file` (rotated at 5 MB, 3 kept), once per process."""
    logger = logging.getLogger("hearth")
    logger.setLevel(level)
    target = str(log_file)
    for handler in logger.handlers:
        if getattr(handler, "baseFilename", None) == target:
            return
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=5_000_000, backupCount=3, encoding="utf-8", delay=True
    )
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logger.addHandler(handler)
    logger.propagate = False
