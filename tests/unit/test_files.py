"""Reading and writing scenario files without the app: formats, refusals, atomic saves."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys

import numpy
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attn_tui.core import files
from attn_tui.core.files import (
    FileError,
    FileExists,
    ViewOptions,
    load_file,
    save_scenario,
    scenario_from_json,
    scenario_to_json,
    write_text_atomically,
)
from attn_tui.core.scenario import SEED_EXAMPLE, Scenario, ScenarioError
from bad_files import BAD_FILES, RUNS_CODE_MARKER, RunsCode, make_bad_file
from strategies import labels

# --- JSON scenarios ---


def test_saved_scenario_reads_back_with_its_view(tmp_path):
    path = tmp_path / "lesson.json"
    view = ViewOptions(matrix_view=True, compare_normalisations=True)
    save_scenario(path, SEED_EXAMPLE.with_query(3), view)
    loaded = load_file(path)
    assert loaded.scenario == SEED_EXAMPLE.with_query(3)
    assert loaded.view == view
    assert loaded.is_scenario_file


def test_saved_json_is_readable_with_a_version_and_one_row_per_line(tmp_path):
    path = tmp_path / "lesson.json"
    save_scenario(path, SEED_EXAMPLE)
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["version"] == 2
    assert data["mechanism"] == "simple" and data["parameters"] == {}
    assert data["tokens"] == list(SEED_EXAMPLE.tokens)
    assert data["query"] == 1
    assert data["view"] == {"matrix_view": False, "compare_normalisations": False}
    assert "    [0.43, 0.15, 0.89]," in text.splitlines()


def test_a_version_1_file_still_opens_as_simple_attention(tmp_path):
    """Files saved before mechanisms existed (schema version 1) open unchanged in meaning."""
    path = tmp_path / "old.json"
    path.write_text(
        '{"version": 1, "tokens": ["Your", "journey"], "query": 1, "view": {"matrix_view": true},\n'
        ' "embeddings": [[0.43, 0.15, 0.89], [0.55, 0.87, 0.66]]}',
        encoding="utf-8",
    )
    loaded = load_file(path)
    assert loaded.scenario == Scenario(("Your", "journey"), ((0.43, 0.15, 0.89), (0.55, 0.87, 0.66)), query=1)
    assert loaded.scenario.mechanism == "simple" and loaded.view == ViewOptions(matrix_view=True)


def test_an_unknown_mechanism_is_refused_with_one_line(tmp_path):
    path = tmp_path / "future.json"
    path.write_text(json.dumps({**SEED_EXAMPLE.to_dict(), "mechanism": "9.9"}), encoding="utf-8")
    with pytest.raises(ScenarioError, match="unknown mechanism '9.9'"):
        load_file(path)


def test_json_without_view_opens_with_default_views(tmp_path):
    path = tmp_path / "plain.json"
    path.write_text(json.dumps(SEED_EXAMPLE.to_dict()), encoding="utf-8")
    assert load_file(path).view == ViewOptions()


@pytest.mark.parametrize("view", [[], {"matrix_view": "yes"}, {"compare_normalisations": 1}])
def test_bad_view_options_are_refused(tmp_path, view):
    data = SEED_EXAMPLE.to_dict() | {"view": view}
    with pytest.raises(ScenarioError, match="view"):
        scenario_from_json(json.dumps(data))


finite = st.floats(min_value=-3e38, max_value=3e38, allow_nan=False, allow_infinity=False)


@st.composite
def scenarios(draw):
    n = draw(st.integers(1, 7))
    d = draw(st.integers(1, 5))
    tokens = draw(st.lists(labels, min_size=n, max_size=n))
    rows = draw(st.lists(st.lists(finite, min_size=d, max_size=d), min_size=n, max_size=n))
    return Scenario(tokens=tokens, embeddings=rows, query=draw(st.integers(0, n - 1)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scenario=scenarios(), matrix=st.booleans(), compare=st.booleans())
def test_save_then_load_gives_back_exactly_the_same_scenario(tmp_path, scenario, matrix, compare):
    path = tmp_path / "round-trip.json"
    view = ViewOptions(matrix, compare)
    save_scenario(path, scenario, view, overwrite=True)
    loaded = load_file(path)
    assert loaded.scenario == scenario  # every float bit for bit, every label
    assert loaded.view == view
    assert scenario_from_json(scenario_to_json(scenario, view)) == (scenario, view)


def test_labels_with_any_character_survive_a_round_trip(tmp_path):
    scenario = Scenario(tokens=("ω", "café", 'say "hi"', "back\\slash", "日本"), embeddings=((1.0,),) * 5)
    path = tmp_path / "unicode.json"
    save_scenario(path, scenario)
    assert load_file(path).scenario == scenario


def test_an_unexpected_reader_error_is_still_a_file_error(tmp_path, monkeypatch):
    path = tmp_path / "x.csv"
    path.write_text("1,2\n", encoding="utf-8")

    def broken(text):
        raise KeyError("surprise")

    monkeypatch.setattr(files, "embeddings_from_csv", broken)
    with pytest.raises(FileError, match=r"x.csv: cannot read it \(KeyError: 'surprise'\)"):
        load_file(path)


def test_text_utf8_cannot_store_is_refused_without_a_partial_file(tmp_path):
    with pytest.raises(FileError, match="UTF-8"):
        write_text_atomically(tmp_path / "x.csv", "a,\ud800\n")
    assert list(tmp_path.iterdir()) == []


# --- embeddings: CSV, .npy, .pt ---


@pytest.mark.parametrize(
    "text",
    [
        "0.43,0.15\n0.55,0.87\n",
        "d1,d2\n0.43,0.15\n0.55,0.87\n",
        "0.43, 0.15\r\n\r\n0.55 , 0.87\r\n",
    ],
    ids=["numbers only", "header row", "spaces, CRLF, blank line"],
)
def test_csv_without_labels_names_tokens_t1_to_tn(tmp_path, text):
    path = tmp_path / "x.csv"
    path.write_text(text, encoding="utf-8")
    loaded = load_file(path)
    assert loaded.scenario == Scenario(tokens=("t1", "t2"), embeddings=((0.43, 0.15), (0.55, 0.87)), query=0)
    assert loaded.view is None and not loaded.is_scenario_file


@pytest.mark.parametrize("text", ["token,d1,d2\nYour,0.43,0.15\njourney,0.55,0.87\n", "Your,0.43,0.15\njourney,0.55,0.87\n"])
def test_csv_first_column_of_labels_names_the_tokens(tmp_path, text):
    path = tmp_path / "x.csv"
    path.write_text(text, encoding="utf-8")
    assert load_file(path).scenario == Scenario(tokens=("Your", "journey"), embeddings=((0.43, 0.15), (0.55, 0.87)))


def test_csv_with_only_labels_or_only_a_header_is_refused(tmp_path):
    for text, words in [("a\nb\n", "only a column of labels"), ("d1,d2\n", "only a header")]:
        path = tmp_path / "x.csv"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(FileError, match=words):
            load_file(path)


def test_npy_matrix_loads_with_t1_to_tn(tmp_path):
    path = tmp_path / "x.npy"
    numpy.save(path, numpy.array([[0.43, 0.15, 0.89], [0.55, 0.87, 0.66]], dtype=numpy.float32))
    scenario = load_file(path).scenario
    assert scenario.tokens == ("t1", "t2")
    assert scenario.embeddings[1] == pytest.approx((0.55, 0.87, 0.66), abs=1e-7)


def test_integer_npy_is_fine(tmp_path):
    path = tmp_path / "ints.npy"
    numpy.save(path, numpy.arange(6).reshape(3, 2))
    assert load_file(path).scenario.embeddings == ((0.0, 1.0), (2.0, 3.0), (4.0, 5.0))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.int64])
def test_pt_tensor_loads(tmp_path, dtype):
    path = tmp_path / "x.pt"
    torch.save(torch.tensor([[1, 2, 3], [4, 5, 6]], dtype=dtype), path)
    scenario = load_file(path).scenario
    assert scenario.tokens == ("t1", "t2")
    assert scenario.embeddings == ((1.0, 2.0, 3.0), (4.0, 5.0, 6.0))


def test_pt_with_token_labels(tmp_path):
    path = tmp_path / "named.pth"
    torch.save({"tokens": ["Your", "journey"], "embeddings": torch.eye(2)}, path)
    assert load_file(path).scenario.tokens == ("Your", "journey")


def test_complex_and_bool_tensors_are_refused(tmp_path):
    for name, tensor in [("c.pt", torch.ones(2, 2, dtype=torch.complex64)), ("b.pt", torch.ones(2, 2, dtype=torch.bool))]:
        torch.save(tensor, tmp_path / name)
        with pytest.raises(FileError, match="real numbers"):
            load_file(tmp_path / name)


# --- refusals: every bad file names itself and the problem, in one line ---


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_is_refused_with_its_name_and_the_problem(tmp_path, case):
    path, expected = make_bad_file(tmp_path, case)
    with pytest.raises(FileError) as caught:
        load_file(path)
    error = caught.value
    assert isinstance(error, ScenarioError)  # one error type for the app and the command line
    assert error.path == str(path)
    assert str(error).startswith(f"{path}: ")
    assert expected in str(error)
    assert "\n" not in str(error)


@pytest.mark.parametrize("name", ["code.pt", "pickle.pt"])
def test_a_pt_file_never_runs_code(tmp_path, name):
    case = {"code.pt": "code in .pt", "pickle.pt": "code in a pickle .pt"}[name]
    path, _ = make_bad_file(tmp_path, case)
    with pytest.raises(FileError, match="could run code"):
        load_file(path)
    assert not (tmp_path / RUNS_CODE_MARKER).exists()


def test_the_malicious_payload_really_runs_code_when_unpickled(tmp_path):
    """The refusal above means something: an ordinary unpickler runs this payload."""
    pickle.loads(pickle.dumps(RunsCode(tmp_path)))
    assert (tmp_path / RUNS_CODE_MARKER).exists()


def test_size_is_checked_before_reading(tmp_path, monkeypatch):
    path, _ = make_bad_file(tmp_path, "100 MB")

    def never(*args, **kwargs):
        raise AssertionError("read a file that is too large")

    monkeypatch.setattr(files, "_read_bytes", never)
    with pytest.raises(FileError, match="100 MB"):
        load_file(path)


def test_unreadable_file_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "secret.json"
    path.write_text(json.dumps(SEED_EXAMPLE.to_dict()), encoding="utf-8")
    real_open = open

    def no_permission(file, *args, **kwargs):
        if os.fspath(file) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", no_permission)
    with pytest.raises(FileError, match=r"secret.json: cannot read it \(Permission denied\)"):
        load_file(path)


def test_loading_json_needs_neither_torch_nor_numpy():
    probe = (
        "import sys, json, tempfile, os\n"
        "from attn_tui.core.files import load_file, save_scenario\n"
        "from attn_tui.core.scenario import SEED_EXAMPLE\n"
        "path = os.path.join(tempfile.mkdtemp(), 's.json')\n"
        "save_scenario(path, SEED_EXAMPLE)\n"
        "assert load_file(path).scenario == SEED_EXAMPLE\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'numpy', 'textual')))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stderr


# --- saving: atomic, never over an existing file unasked ---


def test_save_refuses_to_replace_a_file_unless_told(tmp_path):
    path = tmp_path / "lesson.json"
    path.write_text("precious", encoding="utf-8")
    with pytest.raises(FileExists, match="already exists"):
        save_scenario(path, SEED_EXAMPLE)
    assert path.read_text(encoding="utf-8") == "precious"
    save_scenario(path, SEED_EXAMPLE, overwrite=True)
    assert load_file(path).scenario == SEED_EXAMPLE


def test_a_failed_save_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "lesson.json"
    path.write_text("precious", encoding="utf-8")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(FileError, match="lesson.json: cannot save \\(No space left on device\\)"):
        save_scenario(path, SEED_EXAMPLE, overwrite=True)
    assert path.read_text(encoding="utf-8") == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lesson.json"]


def test_a_failed_first_save_leaves_no_file_at_all(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "replace", lambda *args: (_ for _ in ()).throw(OSError(5, "Input/output error")))
    with pytest.raises(FileError, match="cannot save"):
        save_scenario(tmp_path / "new.json", SEED_EXAMPLE)
    assert list(tmp_path.iterdir()) == []


def test_save_writes_through_a_temporary_file_in_the_same_folder(tmp_path, monkeypatch):
    renames = []
    real_replace = os.replace

    def spy(source, target):
        renames.append((os.path.dirname(source), os.path.basename(source), target))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", spy)
    save_scenario(tmp_path / "lesson.json", SEED_EXAMPLE)
    [(folder, name, target)] = renames
    assert folder == str(tmp_path) and name != "lesson.json"
    assert os.fspath(target) == str(tmp_path / "lesson.json")


def test_replacing_a_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "shared.json"
    path.write_text("{}", encoding="utf-8")
    path.chmod(0o640)
    save_scenario(path, SEED_EXAMPLE, overwrite=True)
    assert path.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600)], ids=["umask 022", "umask 077"])
def test_a_new_file_honours_the_umask(tmp_path, umask, mode):
    """Issue 15 §4: a fixed mode for new files passed every test. A private umask (077) must give
    a private file, a usual one (022) a readable one: 0666 minus the umask, as open() gives."""
    previous = os.umask(umask)
    try:
        save_scenario(tmp_path / "new.json", SEED_EXAMPLE)
    finally:
        os.umask(previous)
    assert (tmp_path / "new.json").stat().st_mode & 0o777 == mode


def test_save_into_a_missing_folder_says_so(tmp_path):
    with pytest.raises(FileError, match="does not exist"):
        write_text_atomically(tmp_path / "nowhere" / "x.json", "{}")
