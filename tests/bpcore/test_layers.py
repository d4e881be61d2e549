"""bpcore is built in layers, and a layer imports only from itself and the layers below it.

Every import statement of every bpcore module counts, also one inside a function (the lazy
imports of the command line) and relative ones. The layers, lowest first, are LAYERS below and
the tree in docs/architecture.md; a new module must be placed in one of them. Nothing in bpcore
imports manim: the scenes do, in a subprocess bp starts.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

import bpcore

PACKAGE = Path(bpcore.__file__).resolve().parent

#: The layers, lowest first: each names its modules (a package stands for everything in it).
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # leaves that every layer may use: errors, atomic files, the display rule, the priority of
    # the work beside the drawing
    ("ground", ("bpcore", "bpcore.errors", "bpcore.files", "bpcore.display", "bpcore.priority")),
    ("model", ("bpcore.model",)),  # the network's math, numpy only
    ("narration", ("bpcore.narration",)),  # words for the ear, voices, audio, ffmpeg
    # the BP_* variables (BP_VOICE is a narration.voice) and where bpcore's files are
    ("settings", ("bpcore.settings", "bpcore.resources")),
    ("lesson", ("bpcore.lesson",)),  # lesson file -> Lesson -> LessonTrace, and its reading
    ("outputs", ("bpcore.outputs",)),  # exports, the page, published files, the palette
    # bp render's machinery: jobs, keys, plans, the pool, running manim, reporting failures
    ("render", ("bpcore.render",)),
    ("command line", ("bpcore.cli", "bpcore.__main__")),  # the bp commands
)


def layer_of(module: str) -> int | None:
    """The rank of ``module``'s layer (0 is the lowest), or None when it is in none."""
    best, rank = "", None
    for index, (_, members) in enumerate(LAYERS):
        for member in members:
            inside = module == member or (member != "bpcore" and module.startswith(member + "."))
            if inside and len(member) > len(best):
                best, rank = member, index
    return rank


def imports(module: str, source: str, is_package: bool, known: set[str]) -> set[str]:
    """Every module ``source`` imports, at any depth of its code: ``from bpcore import x``
    counts as bpcore.x when that is a module, a relative import as the module it names."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = module.split(".") if is_package else module.split(".")[:-1]
                parts = parts[:len(parts) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                name = f"{base}.{alias.name}"
                found.add(name if name in known else base)
    return found


def problems(sources: Mapping[str, tuple[str, bool]]) -> list[str]:
    """What breaks the layers in ``sources`` (module name -> its source, whether a package):
    a module in no layer, an import of a higher layer, an import of manim."""
    known = set(sources)
    found = []
    for module, (source, is_package) in sorted(sources.items()):
        rank = layer_of(module)
        if rank is None:
            found.append(f"{module} is in no layer (add it to LAYERS)")
            continue
        for name in sorted(imports(module, source, is_package, known)):
            if name == "manim" or name.startswith("manim."):
                found.append(f"{module} imports {name}")
            elif name == "bpcore" or name.startswith("bpcore."):
                other = layer_of(name)
                if other is not None and other > rank:
                    found.append(f"{module} ({LAYERS[rank][0]}) imports {name} "
                                 f"({LAYERS[other][0]}), a higher layer")
    return found


def bpcore_sources() -> dict[str, tuple[str, bool]]:
    sources = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if "_data" in parts or "__pycache__" in parts:
            continue
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        sources[name] = (path.read_text(encoding="utf-8"), is_package)
    return sources


def test_each_module_imports_only_its_layer_and_those_below():
    sources = bpcore_sources()
    assert "bpcore.model.network" in sources and "bpcore.cli.render" in sources
    assert problems(sources) == []


def test_the_check_catches_a_lower_layer_importing_a_higher_one():
    """A made-up model module that reaches up into the lesson layer from inside a function, one
    that does so relatively, and a narration module that imports manim are all caught."""
    sources = bpcore_sources()
    sources["bpcore.model.made_up"] = (
        "import numpy as np\n\n"
        "def fit_lesson(path):\n"
        "    from bpcore.lesson.trace import trace_lesson\n"
        "    return trace_lesson(path)\n", False)
    sources["bpcore.model.made_up_too"] = ("from ..outputs import page\n", False)
    sources["bpcore.narration.made_up"] = ("def draw():\n    import manim\n", False)
    sources["bpcore.made_up_leaf"] = ("", False)
    assert problems(sources) == [
        "bpcore.made_up_leaf is in no layer (add it to LAYERS)",
        "bpcore.model.made_up (model) imports bpcore.lesson.trace (lesson), a higher layer",
        "bpcore.model.made_up_too (model) imports bpcore.outputs.page (outputs), a higher layer",
        "bpcore.narration.made_up imports manim",
    ]


def test_a_layer_may_import_the_layers_below_it():
    """The check is not a blanket ban: the command line uses everything, the lesson uses the
    model, narration and settings, and the layer's own modules use one another."""
    sources = bpcore_sources()
    known = set(sources)
    source, is_package = sources["bpcore.lesson.trace"]
    used = imports("bpcore.lesson.trace", source, is_package, known)
    assert {"bpcore.model.descent", "bpcore.lesson.file", "bpcore.errors"} <= used
    assert layer_of("bpcore.lesson.trace") > layer_of("bpcore.model.descent")
    assert layer_of("bpcore.cli.render") > layer_of("bpcore.render.plan")

