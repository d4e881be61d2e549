"""Settings for the whole suite."""

from __future__ import annotations

import os


def pytest_configure(config) -> None:
    """Scenes built in this process, and renders that do not ask for a voice, are silent: a
    test about narration names its voice (or drops this one), and no other test pays for
    speech synthesis or waits for its holds."""
    os.environ["BP_VOICE"] = "none"
