"""What a server process carries: the schema check without Alembic, the frozen start-up heap, only
the Dutch stemmer, no config-file or fuzzy-matching libraries nor Babel's locale data, a start-up
without collections, and the opt-in collection log the benchmarks read (issue 10)."""

from __future__ import annotations

import contextlib
import fnmatch
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.core.task_search import dutch_stemmer
from storage.session import Database, SchemaState, head_revisions, migration_graph
from testkit.database import postgres_url, scratch_postgres_database
from tests.platform.test_cli import OOV_BOT, clean_env, run

# Runs `oov-bot <command>` in-process, through the console script's entry point, with waitress
# replaced by a server whose run() reports what the process holds at the moment it would start
# serving, and returns.
PROBE = """
import gc, json, sys, waitress.server
import bot.entry

class Probe:
    def print_listen(self, _format):
        pass
    def run(self):
        during = [s["collections"] - b for s, b in zip(gc.get_stats(), before)]
        enabled = gc.isenabled()
        gc.collect(1)  # a young collection, which the log must leave out when fast
        gc.collect()   # a full one, which it must record
        localedata = sys.modules.get("babel.localedata")
        print(json.dumps({
            "frozen": gc.get_freeze_count(),
            "tracked": len(gc.get_objects()),
            "thresholds": gc.get_threshold(),
            "collections_at_start": during,
            "collector_on": enabled,
            "modules": sorted(m for m in sys.modules if m.split(".")[0] in
                              ("alembic", "snowballstemmer", "Stemmer", "holidays", "mako",
                               "pygments")),
            "lazy": sorted(m for m in sys.modules
                           if m.split(".")[0] in ("ruamel", "rapidfuzz") or m == "babel.dates"),
            "babel_locales": sorted(getattr(localedata, "_cache", {})),
            "own": sorted(m for m in sys.modules if m.split(".")[0] in ("bot", "handlers")),
            "orm": sorted(m for m in sys.modules if m.startswith("sqlalchemy.orm")),
            "pydantic_plugins_sought": getattr(sys.modules.get("pydantic.plugin._loader"),
                                               "_plugins", None) is not None,
        }))

waitress.server.create_server = lambda *args, **kwargs: Probe()
before = [s["collections"] for s in gc.get_stats()]
raise SystemExit(bot.entry.main())
"""


def probe(command: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROBE, command],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(tmp_path, **env),
        timeout=60,
        check=False,
    )


def test_serve_starts_with_a_frozen_heap_without_alembic_or_other_languages(
    tmp_path: Path,
) -> None:
    assert run(["db", "upgrade"], tmp_path).returncode == 0
    gc_log = tmp_path / "gc.log"

    served = probe("serve", tmp_path, OOV_GC_LOG=str(gc_log))

    assert served.returncode == 0, served.stderr
    held = json.loads(served.stdout.splitlines()[-1])
    # PyStemmer (Snowball in C, Dutch only in use), not the pure-Python stemmer with its 30-odd
    # languages; no migration tool, no holiday tables.
    assert held["modules"] == [
        "Stemmer",
    ]
    # The assembled app lies in the permanent generation: a full collection walks only what
    # was made after start, a small fraction.
    # Storage speaks SQLAlchemy Core: the ORM is never loaded.
    assert held["orm"] == []
    assert held["frozen"] > 50_000
    assert held["tracked"] < held["frozen"] / 10
    assert held["thresholds"] == [700, 10, 10]  # CPython's: larger ones measured worse (heap.py)
    # Loaded on first use: config files are parsed by check/import, typos matched by a command;
    # babel.dates and Babel's Dutch data by the first formatted date.
    assert held["lazy"] == []
    assert held["babel_locales"] == []
    # No collection while loading and assembling (bot/entry.py), and collecting again once
    # settled.
    assert held["collections_at_start"] == [0, 0, 0]
    assert held["collector_on"] is True
    # The frozen count first; then a line for the full collection (time, generation 2, wall ms,
    # collected, CPU ms) and one for the collection at exit; none for the fast young one.
    start, *lines = [line.split() for line in gc_log.read_text().splitlines()]
    assert start[1:] == ["start", str(held["frozen"]), "0"]
    assert [generation for _, generation, _, _, _ in lines] == ["2", "2"]
    at, _, ms, collected, cpu_ms = lines[0]
    assert float(at) > 0 and 0 <= float(ms) < 1000 and int(collected) >= 0
    assert 0 <= float(cpu_ms) <= float(ms) + 1  # the thread's CPU time fits in the wall time


@pytest.mark.parametrize(("setting", "sought"), [(None, False), ("", True)])
def test_pydantic_looks_for_plugins_only_when_the_operator_asks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str | None, sought: bool
) -> None:
    # Looking reads every installed distribution's entry points (~20 ms of a start); oov-bot
    # uses no plugin, and an operator who installs one sets the variable empty.
    assert run(["db", "upgrade"], tmp_path).returncode == 0
    monkeypatch.delenv("PYDANTIC_DISABLE_PLUGINS", raising=False)
    env = {} if setting is None else {"PYDANTIC_DISABLE_PLUGINS": setting}

    served = probe("serve", tmp_path, **env)

    assert served.returncode == 0, served.stderr
    assert json.loads(served.stdout.splitlines()[-1])["pydantic_plugins_sought"] is sought


def test_serve_with_the_team_data_builds_its_read_models_without_babel_or_holidays(
    tmp_path: Path,
) -> None:
    # The read models format dates and hours and work out meeting days at start; the Dutch names
    # and the days off come from bot/language's tables, not from Babel's locale data (~7 MiB) or
    # the holidays package (~17 MiB, every country).
    assert run(["import"], tmp_path).returncode == 0

    served = probe("serve", tmp_path)

    assert served.returncode == 0, served.stderr
    held = json.loads(served.stdout.splitlines()[-1])
    assert held["babel_locales"] == []
    assert not [m for m in held["modules"] if m.startswith("holidays")]


def test_other_commands_run_with_the_collector_on(tmp_path: Path) -> None:
    # The console script pauses it only while oov-bot loads; `check` never settles a heap.
    script = (
        "import gc, sys, bot.cli, bot.entry\n"
        "bot.cli.cmd_check = lambda settings, args: print(gc.isenabled()) or 0\n"
        "raise SystemExit(bot.entry.main())\n"
    )
    checked = subprocess.run(
        [sys.executable, "-c", script, "check"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(tmp_path),
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == "True"


def test_run_migrates_a_fresh_database_and_then_needs_no_alembic(tmp_path: Path) -> None:
    first = probe("run", tmp_path)
    assert first.returncode == 0, first.stderr
    assert "alembic" in json.loads(first.stdout.splitlines()[-1])["modules"]

    again = probe("run", tmp_path)
    assert again.returncode == 0, again.stderr
    assert "alembic" not in json.loads(again.stdout.splitlines()[-1])["modules"]


# What only a clock, the CLI or the shell uses: a feature declares these pieces `lazy`.
NOT_SERVING = (
    "handlers.*.clock",
    "handlers.*.cli",
    "handlers.*.report",
    "handlers.actions.shell",
    "bot.core.documents",
)
NEVER_SERVING = ("bot.clock", "bot.shell")


def _matching(modules: list[str], *patterns: str) -> list[str]:
    return [m for m in modules if any(fnmatch.fnmatchcase(m, p) for p in patterns)]


def test_serve_imports_no_clock_cli_report_or_shell_module(tmp_path: Path) -> None:
    assert run(["db", "upgrade"], tmp_path).returncode == 0

    served = probe("serve", tmp_path)

    assert served.returncode == 0, served.stderr
    own = json.loads(served.stdout.splitlines()[-1])["own"]
    assert _matching(own, *NOT_SERVING, *NEVER_SERVING) == []
    # What it does serve is loaded before the first request: every feature's listeners and
    # the feed route.
    assert {"handlers.tasks.slack", "handlers.piket.slack", "handlers.piket.feed"} <= set(own)


def test_run_loads_its_planners_before_serving_but_no_cli_or_report_module(
    tmp_path: Path,
) -> None:
    assert run(["db", "upgrade"], tmp_path).returncode == 0

    started = probe("run", tmp_path)

    assert started.returncode == 0, started.stderr
    own = json.loads(started.stdout.splitlines()[-1])["own"]
    clocks = {f"handlers.{name}.clock" for name in ("actions", "meetings", "piket", "programma")}
    assert clocks <= set(own)
    assert _matching(own, *NOT_SERVING[1:]) == []


def test_serve_on_a_fresh_database_says_in_dutch_to_upgrade(tmp_path: Path) -> None:
    served = run(["serve"], tmp_path)
    assert served.returncode == 1
    assert served.stderr.strip().splitlines()[-1] == (
        "oov-bot: de database heeft nog geen schema: draai eerst `oov-bot db upgrade` "
        "(en `oov-bot import` voor de teamgegevens)."
    )


def migrate_to(url: str, revision: str) -> None:
    """As if the code had gained the migrations after `revision` since the last `db upgrade`."""
    from alembic import command

    db = Database(url)
    try:
        command.upgrade(db.alembic_config(), revision)
    finally:
        db.dispose()


def test_serve_on_a_database_behind_refuses_and_db_upgrade_fixes_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'oov.db'}"
    migrate_to(url, "0002")  # before the features' branches

    served = run(["serve"], tmp_path)
    assert served.returncode == 1
    assert "Traceback" not in served.stderr
    assert served.stderr.strip().splitlines()[-1] == (
        "oov-bot: het databaseschema loopt achter op deze versie van oov-bot: draai eerst "
        "`oov-bot db upgrade`."
    )
    assert run(["db", "upgrade"], tmp_path).returncode == 0
    assert Database(url).schema_state().up_to_date


def test_commands_that_read_a_database_behind_say_to_upgrade(tmp_path: Path) -> None:
    """They checked only that a schema existed, and then reported "no such table" as "de
    database is niet bereikbaar of niet te openen"."""
    migrate_to(f"sqlite:///{tmp_path / 'oov.db'}", "0002")
    for command in (["export"], ["piket", "toon"], ["rapport", "capaciteit"]):
        result = run(command, tmp_path)
        assert result.returncode == 1, command
        assert result.stderr.strip().splitlines()[-1] == (
            "oov-bot: het databaseschema loopt achter op deze versie van oov-bot: draai eerst "
            "`oov-bot db upgrade`."
        ), (command, result.stderr)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_migrations_started_at_once_both_succeed(tmp_path: Path, kind: str) -> None:
    """Two `db upgrade` at once (two releases; a release and a clock that migrates at start;
    `make run` twice) both created the first table, and one stopped: on PostgreSQL with an
    IntegrityError traceback, on SQLite with "niet bereikbaar of niet te openen (table people
    already exists)"."""
    with contextlib.ExitStack() as stack:
        if kind == "sqlite":
            urls = [f"sqlite:///{tmp_path / f'oov-{round_}.db'}" for round_ in range(3)]
        else:
            urls = [
                stack.enter_context(scratch_postgres_database(postgres_url())) for _ in range(3)
            ]
        for url in urls:
            started = [
                subprocess.Popen(
                    [OOV_BOT, "db", "upgrade"],
                    cwd=tmp_path,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    env=clean_env(tmp_path, DATABASE_URL=url),
                )
                for _ in range(3)
            ]
            for process in started:
                out, err = process.communicate(timeout=120)
                assert process.returncode == 0, err
                assert out.strip() == "Database bijgewerkt tot de nieuwste versie."
            db = Database(url)
            assert db.schema_state().up_to_date
            db.dispose()


def test_a_database_migrated_by_a_newer_oov_bot_is_named_not_migrated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'oov.db'}"
    assert run(["db", "upgrade"], tmp_path).returncode == 0
    db = Database(url)
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO alembic_version VALUES ('0099_toekomst')"))
    db.dispose()

    # `db upgrade` is what a rolled-back release runs first (the Procfile's `release`); it and
    # `import` ended in Alembic's "Can't locate revision" traceback.
    for command in (["serve"], ["run"], ["db", "upgrade"], ["import"]):
        started = run(command, tmp_path)
        assert started.returncode == 1, command
        assert "Traceback" not in started.stderr, command
        assert started.stderr.strip().splitlines()[-1] == (
            "oov-bot: de database is bijgewerkt door een nieuwere oov-bot (onbekende "
            "schemaversie 0099_toekomst): start die nieuwere versie."
        ), command


def test_the_heads_read_from_the_files_are_alembics_heads() -> None:
    from alembic.script import ScriptDirectory

    from storage.session import MIGRATIONS_DIR

    scripts = ScriptDirectory(str(MIGRATIONS_DIR))
    assert head_revisions() == frozenset(scripts.get_heads())
    assert migration_graph().keys() == {rev.revision for rev in scripts.walk_revisions()}


def test_heads_follow_branches_and_merges(tmp_path: Path) -> None:
    def migration(name: str, revision: str, down: str) -> None:
        (tmp_path / f"{name}.py").write_text(
            f'revision: str = "{revision}"\ndown_revision = {down}\n', encoding="utf-8"
        )

    migration("a", "a", "None")
    migration("b", "b", '"a"')
    migration("c", "c", '"a"')
    assert head_revisions(tmp_path) == {"b", "c"}
    assert SchemaState(frozenset({"b", "c"}), tmp_path).up_to_date
    assert not SchemaState(frozenset({"b"}), tmp_path).up_to_date
    migration("m", "m", '("b", "c")')
    migration_graph.cache_clear()
    assert head_revisions(tmp_path) == {"m"}
    assert SchemaState(frozenset({"m"}), tmp_path).up_to_date
    assert not SchemaState(frozenset({"b", "c"}), tmp_path).up_to_date


DEPENDENT = """
from alembic import op
import sqlalchemy as sa

revision = "0099_dependent"
down_revision = "0003_piket"
depends_on = ("0003_meetings",)


def upgrade() -> None:
    op.create_table("bench_dependent", sa.Column("id", sa.Integer, primary_key=True))


def downgrade() -> None:
    op.drop_table("bench_dependent")
"""


def test_the_check_agrees_with_what_alembic_records_also_with_depends_on(tmp_path: Path) -> None:
    """Alembic's version table is not its heads: after `upgrade heads` it drops a branch tip
    that a later migration depends on. The check must read the table as Alembic writes it."""
    import shutil

    from alembic import command

    from storage.session import MIGRATIONS_DIR

    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    (migrations / "versions" / "0099_dependent.py").write_text(DEPENDENT, encoding="utf-8")
    db = Database(f"sqlite:///{tmp_path / 'oov.db'}")
    config = db.alembic_config()
    config.set_main_option("script_location", str(migrations))
    try:
        command.upgrade(config, "0003_piket")
        state = db.schema_state()
        assert not SchemaState(state.current, migrations / "versions").up_to_date
        command.upgrade(config, "heads")
        state = db.schema_state()
        assert "0003_meetings" not in state.current  # what makes the rows differ from the heads
        assert SchemaState(state.current, migrations / "versions").up_to_date
    finally:
        db.dispose()
        migration_graph.cache_clear()


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("huisverboden", "huisverbood"),
        ("explosieven", "explosief"),
        ("radicalisering", "radicaliser"),
        ("coffeeshops", "coffeeshop"),
        ("evenementen", "evenement"),
        ("mensenhandel", "mensenhandel"),
    ],
)
def test_the_dutch_stemmer_stems_as_snowball_does(word: str, stem: str) -> None:
    # Snowball's Dutch algorithm (the same stems as the pure-Python snowballstemmer 3.1 gave on
    # the 2,728 words of the seeds and the bundled config).
    assert dutch_stemmer().stemWord(word) == stem


def test_a_schema_another_process_migrates_meanwhile_is_read_not_an_error(tmp_path: Path) -> None:
    # `db upgrade` twice at once on PostgreSQL: the second's revision check found no
    # alembic_version, the first's migration committed it, and the second, seeing the table,
    # took its own failed query for another problem and stopped with a traceback.
    url = f"sqlite:///{tmp_path / 'oov.db'}"
    db, other = Database(url), Database(url)

    def migrated_meanwhile() -> bool:
        other.upgrade()
        return Database.has_schema(db)

    db.has_schema = migrated_meanwhile  # type: ignore[method-assign]
    try:
        assert db.schema_state().up_to_date
    finally:
        db.dispose()
        other.dispose()
