"""The `oov-bot` console script: bot.cli's main with the collector paused while oov-bot loads.

Importing oov-bot and its libraries makes some 100k objects that live as long as the process.
With the collector on, ~300 collections (three of them full) re-scan them while they are being
made: ~0.15 s of a 0.9 s start. Paused, a server collects once when its app is assembled
(bot/heap.py's settle, which turns the collector back on); every other command turns it back on
as soon as its parser is built (bot.cli.main).
"""

from __future__ import annotations

import gc
import os


def main() -> int:
    gc.disable()
    # pydantic looks for plugins in every installed distribution's entry points the first time
    # it builds a model: ~20 ms of every start, for plugins oov-bot does not use. An operator
    # who installs one (an observability plugin, say) sets PYDANTIC_DISABLE_PLUGINS= (empty).
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from bot.cli import main as cli_main  # imported with the collector paused (see above)

    return cli_main()
