"""What does narration add to a lesson's render time? (issue 22: at most 15% at ``-ql``.)

This is a benchmark, not a test: it measures and prints, and never fails on a slow result.

It renders one lesson scene (``scenes/b3.py`` by default) four ways, alternating, ``--repeat``
times, each with Manim's caching off into a fresh media folder (:func:`render.render`):

- **silent, cold**: ``BP_VOICE=none`` with an empty project cache (``BP_CACHE``: no LaTeX
  SVGs, outlines, clips or voice tracks), as a first render from a fresh clone;
- **narrated, cold**: the default voice with an empty project cache, so every clip is
  synthesized and the voice track built (the cost issue 22 bounds);
- **silent, warm** and **narrated, warm**: both with one shared cache that the cold runs
  filled, as a teacher's second render: no synthesis, no LaTeX.

The fastest run of each kind is compared (the median beside it): narration's cost is the
narrated render's wall time over the silent one's, cold against cold and warm against warm.
The CPU time (user + system, manim and its children) is printed too; on a shared machine it
moves much less than wall time. The scene's own ``Narration:`` line says how long synthesis
took beside the drawing and how long the scene waited for it.

Examples
--------
``.venv/bin/python bench/narration.py`` (b3 at -ql, once each)
``.venv/bin/python bench/narration.py -q l --repeat 3``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from render import QUALITIES, ROOT, Render, load, render  # noqa: E402

#: Issue 22's bound: narration adds at most this much to a cold ``-ql`` render.
TARGET = 0.15
KINDS = ("silent, cold", "narrated, cold", "silent, warm", "narrated, warm")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python bench/narration.py",
                                     description="What narration adds to a render's time.")
    parser.add_argument("--scene", default="scenes/b3.py", type=Path,
                        help="scene file to render (default: %(default)s)")
    parser.add_argument("--quality", "-q", choices=sorted(QUALITIES), default="l",
                        help="manim quality flag (default: %(default)s)")
    parser.add_argument("--repeat", "-n", type=int, default=1, metavar="N",
                        help="render each way N times, alternating (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if not args.scene.is_absolute():
        args.scene = ROOT / args.scene
    if not args.scene.is_file():
        parser.error(f"no such scene file: {args.scene}")
    return args


def environment(cache: Path, voice: str | None) -> dict[str, str]:
    """The caller's environment with this run's project cache and voice."""
    env = {k: v for k, v in os.environ.items() if k not in ("BP_VOICE", "BP_VOICE_CACHE")}
    env.update({"BP_CACHE": str(cache), "COLUMNS": "300"})
    if voice is not None:
        env["BP_VOICE"] = voice
    return env


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"bench: {args.scene.name} at -q{args.quality} ({QUALITIES[args.quality]}), "
          f"repeat {args.repeat}")
    print(f"bench: before: {load()}")
    runs: dict[str, list[Render]] = {kind: [] for kind in KINDS}
    with tempfile.TemporaryDirectory(prefix="bp-bench-narration-") as tmp:
        folder = Path(tmp)
        warm = folder / "warm-cache"
        for run in range(1, args.repeat + 1):
            ways = {
                "silent, cold": environment(folder / f"cold-silent-{run}", "none"),
                "narrated, cold": environment(folder / f"cold-narrated-{run}", None),
                "silent, warm": environment(warm, "none"),
                "narrated, warm": environment(warm, None),
            }
            if run == 1:  # fill the shared cache before the first warm runs
                render(args.scene, args.quality, folder / "prime", environment(warm, None))
            for kind, env in ways.items():
                done = render(args.scene, args.quality, folder / f"media-{kind}-{run}", env)
                runs[kind].append(done)
                spoken = ("" if done.narration is None else
                          "  synthesis {:.1f} s, scene waited {:.1f} s, voice track {:.1f} s"
                          .format(*done.narration))
                print(f"  {kind:15} run {run}: {done.seconds:6.1f} s wall, "
                      f"{done.cpu:6.1f} s cpu{spoken}")
    print(f"bench: after: {load()}")
    best = {kind: min(r.seconds for r in rs) for kind, rs in runs.items()}
    median = {kind: statistics.median(r.seconds for r in rs) for kind, rs in runs.items()}
    cpu = {kind: min(r.cpu for r in rs) for kind, rs in runs.items()}
    for temperature in ("cold", "warm"):
        silent, narrated = f"silent, {temperature}", f"narrated, {temperature}"
        added = best[narrated] / best[silent] - 1
        print(f"narration adds ({temperature} cache): {added:+.1%} wall "
              f"(best {best[narrated]:.1f} s against {best[silent]:.1f} s; medians "
              f"{median[narrated]:.1f} s, {median[silent]:.1f} s), "
              f"{cpu[narrated] / cpu[silent] - 1:+.1%} cpu"
              + (f"; target <= {TARGET:.0%}" if temperature == "cold" else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
