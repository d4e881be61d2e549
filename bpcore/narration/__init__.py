"""Narration: words for the ear (speech, story), the voices, checking what a listener hears
(listening), captions (subtitles), and the audio track (audio, with ffmpeg run by media)."""
