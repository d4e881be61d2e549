"""The ``bp`` subcommands, one module each.

A command module defines a :class:`click.Command` called ``command`` and is registered with one
line in :data:`bpcore.cli.COMMANDS`. Shared options and error handling live in
:mod:`bpcore.commands.common`.
"""
