"""`rtm directory language PERSON uz,ru,en`: the secretariat sets a person's ordered
languages from the CLI; a code CLDR does not know, no code at all, an unknown person or one
of another region's entries is refused, in the operator's language, and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from activities.store import Store
from starter.cli.main import main

pytestmark = pytest.mark.integration  # the store on SQLite


@pytest.fixture
def cli(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    """`rtm` on the network's directory, as the Central Asia secretariat's officer (region
    CA only), with an auditor."""
    from starter.cli.inputs import read_directory
    from starter.data import AUDITORS, NETWORK

    store.load_directory(read_directory(NETWORK))
    store.load_directory(read_directory(AUDITORS))
    monkeypatch.setenv("DATABASE_URL", store.url)
    monkeypatch.setenv("RTM_USER", "ca-sec-officer")
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    return store


def _languages(store: Store) -> dict[str, list[str]]:
    return {p.id: p.languages for p in store.participants()}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    said = capsys.readouterr()
    return code, said.out, said.err


def test_the_secretariat_sets_a_persons_languages(
    cli: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _languages(cli)["mn-nfp"] == ["mn", "en"]
    code, out, _ = _run(capsys, "directory", "language", "mn-nfp", "mn,ru")
    assert code == 0
    assert out == "mn-nfp: languages mn, ru, en; mail in ru\n"  # English last, Russian has one
    assert _languages(cli)["mn-nfp"] == ["mn", "ru", "en"]
    code, out, _ = _run(capsys, "directory", "language", "mn-nfp", "en, ru")
    assert code == 0 and out == "mn-nfp: languages en, ru; mail in en\n"
    assert _languages(cli)["mn-nfp"] == ["en", "ru"]
    listed = [p.id for p in cli.participants()]
    assert listed.index("mn-nfp") == listed.index("mn-deputy") - 1, "keeps its place"


@pytest.mark.parametrize(
    ("person", "languages", "said"),
    [
        ("mn-nfp", "mn,xx", "error: languages: 'xx' is not a language code (like uz, ru, en)"),
        ("mn-nfp", "Russian", "error: languages: 'Russian' is not a language code"),
        ("mn-nfp", " , ", "error: languages: give at least one language code"),
        ("nobody", "ru", "error: person: unknown person 'nobody'"),
        ("eudel-kz-obs", "ru", "error: person: unknown person 'eudel-kz-obs'"),  # not CA's
        ("gcc-sec-head", "ru", "error: person: unknown person 'gcc-sec-head'"),  # another region
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    cli: Store, capsys: pytest.CaptureFixture[str], person: str, languages: str, said: str
) -> None:
    before = _languages(cli)
    code, out, err = _run(capsys, "directory", "language", person, languages)
    assert code == 2 and out == ""
    assert err.startswith(said), err
    assert _languages(cli) == before


def test_in_a_russian_terminal(
    cli: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    code, out, _ = _run(capsys, "directory", "language", "uz-nfp", "uz,ru,en")
    assert code == 0 and out == "uz-nfp: языки uz, ru, en; письма на языке: ru\n"
    before = _languages(cli)
    code, _, err = _run(capsys, "directory", "language", "uz-nfp", "uz,xx")
    assert code == 2
    assert err == "ошибка: языки: 'xx' — не код языка (нужны коды вида uz, ru, en)\n", err
    assert _languages(cli) == before


def _listed(capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    code, out, _ = _run(capsys, "directory", "list")
    assert code == 0
    return {line.split()[0]: line for line in out.splitlines() if line.startswith("  ")}


def test_the_directory_list_shows_each_persons_languages_in_order(
    cli: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _listed(capsys)
    assert lines["tj-nfp"].split()[3] == "tg,ru,en"
    assert lines["kz-expert-bio"].split()[3] == "en"
    assert _run(capsys, "directory", "language", "mn-nfp", "mn,ru")[0] == 0
    assert _listed(capsys)["mn-nfp"].split()[3] == "mn,ru,en"


@pytest.mark.parametrize(
    ("entry", "said"),
    [
        ("languages: [uz, xx]", "error: participants: mn-nfp: languages: 'xx' is not a language"),
        ("language: zz", "error: participants: mn-nfp: languages: 'zz' is not a language code"),
    ],
)
def test_a_directory_file_with_an_unknown_language_is_refused_whole(
    cli: Store,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    entry: str,
    said: str,
) -> None:
    """The same check as `directory language`: the file's other changes are not written."""
    monkeypatch.setenv("RTM_USER", "head.coordination@example.org")
    path = tmp_path / "directory.yaml"
    path.write_text(
        "participants:\n"
        f"  - {{id: mn-nfp, name: Bolormaa G., email: nfp.mn@example.org, role: nfp,"
        f" country: MN, {entry}}}\n"
        "  - {id: kz-nfp, name: Renamed, email: nfp.kz@example.org, role: nfp, country: KZ}\n",
        encoding="utf-8",
    )
    before = cli.participants()
    code, out, err = _run(capsys, "directory", "load", str(path))
    assert code == 2 and out == ""
    assert err.startswith(said), err
    assert cli.participants() == before
    path.write_text(path.read_text(encoding="utf-8").replace(entry, "languages: [uz, ru]"))
    assert _run(capsys, "directory", "load", str(path))[0] == 0  # the same file, known codes
    assert _languages(cli)["mn-nfp"] == ["uz", "ru", "en"]


def test_an_auditor_changes_nothing(
    cli: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RTM_USER", "auditor")
    before = _languages(cli)
    code, _, err = _run(capsys, "directory", "language", "mn-nfp", "ru")
    assert code == 2 and "audits and changes nothing" in err
    assert _languages(cli) == before
