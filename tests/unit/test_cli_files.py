"""The command line with files: a bad file is one line on stderr and exit status 2, before any screen."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from attn_tui.cli import build_parser, query_index
from attn_tui.core.scenario import SEED_EXAMPLE, ScenarioError
from bad_files import BAD_FILES, RUNS_CODE_MARKER, make_bad_file


def run_cli(*args: str, cwd: str | None = None) -> subprocess.CompletedProcess[str]:
    return _run_python("-m", "attn_tui", *args, cwd=cwd)


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter, as run_cli runs the command line."""
    return _run_python("-c", code)


def _run_python(*args: str, cwd: str | None = None) -> subprocess.CompletedProcess[str]:
    # TERM=dumb and no tty: if the app ever started, it would not wait for keys forever.
    env = os.environ | {"TERM": "dumb"}
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=cwd,
    )


def assert_one_line_refusal(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""  # nothing drawn
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0]
    return lines[0]


# Every case as FILE; --load goes the same way, a few cases show it.
CLI_CASES = [(case, "FILE") for case in BAD_FILES] + [(case, "--load") for case in ("missing", "invalid JSON", "3-D .pt", "code in .pt")]


@pytest.mark.parametrize(("case", "option"), CLI_CASES, ids=[f"{option} {case}" for case, option in CLI_CASES])
def test_bad_file_on_the_command_line(tmp_path, case, option):
    path, expected = make_bad_file(tmp_path, case)
    args = [str(path)] if option == "FILE" else ["--load", str(path)]
    line = assert_one_line_refusal(run_cli(*args), str(path), expected)
    assert line.startswith(f"attn-tui: error: {path}: ")
    assert not (tmp_path / RUNS_CODE_MARKER).exists()


def test_unreadable_file_on_the_command_line(tmp_path):
    """A file the process may not read. Not made with chmod: root reads any file, and CI runs as
    root (the test was skipped there). An open() that refuses this one path with the error a
    permission problem raises takes the same way through the command line, for any user."""
    path = tmp_path / "secret.json"
    path.write_text("{}", encoding="utf-8")
    refusing_open = textwrap.dedent(
        f"""
        import builtins, runpy, sys
        real_open = builtins.open
        def refusing_open(file, *args, **kwargs):
            if str(file) == {str(path)!r}:
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)
        builtins.open = refusing_open
        sys.argv = ["attn-tui", {str(path)!r}]
        runpy.run_module("attn_tui", run_name="__main__")
        """
    )
    line = assert_one_line_refusal(run_python(refusing_open), "secret.json", "cannot read it")
    assert line.endswith("(Permission denied)")


def test_relative_path_is_named_as_typed(tmp_path):
    (tmp_path / "broken.csv").write_text("1,2\n3\n", encoding="utf-8")
    line = assert_one_line_refusal(run_cli("broken.csv", cwd=str(tmp_path)))
    assert line == "attn-tui: error: broken.csv: ragged rows: line 1 has 2 values, line 2 has 1"


def test_unknown_query_is_refused(tmp_path):
    line = assert_one_line_refusal(run_cli("--query", "banana"))
    assert "--query 'banana'" in line and "from 1 to 6" in line


def test_unknown_mechanism_is_refused():
    line = assert_one_line_refusal(run_cli("--mechanism", "9.9"))
    assert "unknown mechanism '9.9'" in line and "3.4 (trainable)" in line


def test_file_given_twice_is_refused():
    result = run_cli("a.json", "--load", "b.json")
    assert result.returncode == 2 and "give the file once" in result.stderr


def test_help_explains_files_and_that_query_counts_from_1():
    result = run_cli("--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "--load FILE" in text and "[FILE]" in text
    assert "counted from 1 as on screen" in text
    assert ".csv" in text and ".npy" in text and ".pt" in text
    assert "Ctrl+S" in text


@pytest.mark.parametrize(
    ("text", "index"),
    [("journey", 1), ("1", 0), ("6", 5), (" step ", 5), ("Your", 0)],
)
def test_query_by_label_or_1_based_number(text, index):
    assert query_index(SEED_EXAMPLE, text) == index


@pytest.mark.parametrize("text", ["0", "7", "-1", "journeys", ""])
def test_query_out_of_range_or_unknown(text):
    with pytest.raises(ScenarioError, match="--query"):
        query_index(SEED_EXAMPLE, text)


def test_a_label_typed_with_combining_accents_finds_its_nfc_token():
    scenario = SEED_EXAMPLE.with_label(3, "Tiếng")
    assert query_index(scenario, "Tie\u0302\u0301ng") == 3


def test_a_label_wins_over_a_number():
    scenario = SEED_EXAMPLE.with_label(4, "2")  # token 5 is called "2"
    assert query_index(scenario, "2") == 4


def test_parser_takes_file_load_and_query():
    args = build_parser().parse_args(["x.json", "--query", "3"])
    assert (args.file, args.load, args.query) == ("x.json", None, "3")


@pytest.mark.parametrize(("name", "content"), [("bad.json", "{"), ("bad.csv", "1,x\n")])
def test_a_bad_text_file_is_refused_before_textual_or_torch_is_imported(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    probe = (
        "import sys\n"
        "from attn_tui import cli\n"
        f"status = cli.main([{str(path)!r}])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'textual', 'numpy'})\n"
        "print('STATUS', status, 'HEAVY', heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert "STATUS 2 HEAVY []" in result.stdout, result.stdout + result.stderr


def test_a_huge_cell_and_a_huge_query_are_quoted_short(tmp_path):
    """The one line on stderr stays short: 40 characters of the value, not 5,000."""
    path = tmp_path / "big.csv"
    path.write_text("a,1\nb," + "1" * 5000 + "\n", encoding="utf-8")
    line = assert_one_line_refusal(run_cli(str(path)), "line 2, column 2", "…")
    assert len(line) < len(str(path)) + 150
    path.write_text("a,1\nb,2\n", encoding="utf-8")
    line = assert_one_line_refusal(run_cli(str(path), "--query", "x" * 5000), "--query", "…")
    assert len(line) < 200
