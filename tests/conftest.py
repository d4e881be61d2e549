"""Settings for the whole suite."""

from __future__ import annotations

import os

import hypothesis

# Examples are checked for what they give, not how fast: speed goals are bench/'s, and the
# renders running beside these tests would make any deadline a coin toss.
hypothesis.settings.register_profile("suite", deadline=None)
hypothesis.settings.load_profile("suite")


def pytest_configure(config) -> None:
    """Scenes built in this process, and renders that do not ask for a voice, are silent: a
    test about narration names its voice (or drops this one), and no other test pays for
    speech synthesis or waits for its holds."""
    os.environ["BP_VOICE"] = "none"
