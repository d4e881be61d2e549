"""The machinery of ``bp render``, one concern per module; the click command that drives it is
:mod:`bpcore.cli.render`.

- :mod:`~bpcore.render.scene`: running one lesson's scene with manim in a subprocess (also for
  ``bp stills``, ``bp slides`` and ``bp script``).
- :mod:`~bpcore.render.jobs`: what one lesson's render is (:class:`RenderJob`) and how it ended
  (:class:`RenderResult`).
- :mod:`~bpcore.render.keys`: what a video depends on (its key) and whether it is up to date.
- :mod:`~bpcore.render.outputs`: the files beside an output: their hidden names, the lock,
  what killed renders left, and copying finished files into place atomically.
- :mod:`~bpcore.render.run`: rendering one job with manim and installing what it made.
- :mod:`~bpcore.render.plan`: the lessons given to jobs to run or results they already have.
- :mod:`~bpcore.render.pool`: local threads or a Dask cluster, and Ctrl-C / SIGTERM.
- :mod:`~bpcore.render.report`: progress lines on stderr and the summary table.

manim itself runs in that subprocess; nothing here imports it.
"""
