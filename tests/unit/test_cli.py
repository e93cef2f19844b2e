"""The command line: --help and --version answer without importing torch or Textual."""

from __future__ import annotations

import subprocess
import sys

from attn_tui import __version__


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=60)


def test_version():
    result = run("-m", "attn_tui", "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"attn-tui {__version__}"
    assert result.stderr == ""


def test_help_explains_keys_and_ssh():
    result = run("-m", "attn_tui", "--help")
    assert result.returncode == 0
    assert "usage: attn-tui" in result.stdout
    assert "ssh -t host attn-tui" in result.stdout
    assert result.stderr == ""


def test_help_and_version_import_neither_torch_nor_textual():
    probe = (
        "import sys\n"
        "from attn_tui import cli\n"
        "for args in (['--help'], ['--version']):\n"
        "    try:\n"
        "        cli.main(args)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'textual', 'numpy'))\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    result = run("-c", probe)
    assert "HEAVY []" in result.stderr


def test_unknown_option_is_one_clear_line_and_status_2():
    result = run("-m", "attn_tui", "--no-such-option")
    assert result.returncode == 2
    assert "unrecognized arguments: --no-such-option" in result.stderr
    assert "Traceback" not in result.stderr


def test_recover_with_nothing_kept_is_one_clear_line_and_status_2(tmp_path):
    # conftest points XDG_STATE_HOME at this test's own folder: the real home is never read.
    result = run("-m", "attn_tui", "--recover")
    assert result.returncode == 2
    assert result.stderr == f"attn-tui: error: --recover: no unsaved work was kept ({tmp_path}/state/attn-tui/recovery/default.json does not exist)\n"


def test_a_broken_recovery_file_is_named_and_status_2(tmp_path):
    folder = tmp_path / "state" / "attn-tui" / "recovery"
    folder.mkdir(parents=True)
    (folder / "default.json").write_text("{broken")
    result = run("-m", "attn_tui", "--recover")
    assert result.returncode == 2
    assert result.stderr.startswith(f"attn-tui: error: {folder / 'default.json'}: invalid JSON") and "Traceback" not in result.stderr


def test_recover_takes_no_file():
    result = run("-m", "attn_tui", "--recover", "lesson.json")
    assert result.returncode == 2
    assert "--recover opens the recovered work: give no FILE with it" in result.stderr


def test_help_says_where_lost_work_is_kept():
    result = run("-m", "attn_tui", "--help")
    assert "--recover" in result.stdout and "attn-tui/recovery/" in result.stdout


def test_help_names_every_mechanism_of_the_registry():
    """The help text is written out (the registry is not imported for --help); it must not fall
    behind the registry, as it once did when 3.5 and 3.6 arrived."""
    from attn_tui.cli import build_parser
    from attn_tui.mechanisms import MECHANISMS

    text = " ".join(build_parser().format_help().split())
    for mechanism in MECHANISMS:
        assert f"{mechanism.name} ({mechanism.section})" in text
    assert f"({MECHANISMS[0].section}–{MECHANISMS[-1].section})" in text
