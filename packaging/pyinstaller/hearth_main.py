"""The installed app's entry point (PyInstaller runs this file as `__main__`).

`prepare_process` comes before anything else: the engine child process re-runs this same
executable, and must be handed to multiprocessing before the CLI parses its arguments.
"""

import sys

from app.frozen import prepare_process

if __name__ == "__main__":
    prepare_process()
    from app.cli import main

    sys.exit(main(sys.argv[1:]))
