"""``python -m bpcore``: the same as the ``bp`` command."""

from bpcore.cli import main

if __name__ == "__main__":
    main()
