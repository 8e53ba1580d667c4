"""The checks of what the secretariat gives (a meeting definition, a directory, a file, a
form) refuse with codes too, pydantic's own checks included: read in Russian, through the
CLI and the console, they carry no English word beside the reader's data."""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from pydantic import ValidationError

from domain.agenda.slotting import AgendaDoesNotFit, Session, SlotItem, slot_items
from domain.common.invalid import validation_problems
from domain.common.refusals import OTHER, Refusal, each
from domain.directory.models import Directory
from domain.meeting.definition import MeetingDefinition
from starter.cli.main import main
from tests.factories import central_asia, meeting_data
from tests.test_languages import _english_words, _Text, pseudo_locale

if TYPE_CHECKING:  # the real parts of the CLI and console tests, started by their fixtures
    from temporalio.testing import WorkflowEnvironment

    from activities.store import Store
    from starter.devstack.catcher import SmtpCatcher

__all__ = ["pseudo_locale"]  # the fixture, used by name below

# what the refused values and the reader's own keys are (data, not the catalogue's words)
DATA = ["Mars/Base", "sideways", "colour", "not-an-email", "nobody-at-all", "tomorrow"]
DATA += ["HRS", "CA-RTM", "kz-nfp", "Asia/Dubai", "hybrid", "online", "in-person"]


def _leaves(r: Refusal) -> list[Refusal]:
    return [r, *(x for inner in r.inner.values() for x in _leaves(inner))]


def _english(text: str, data: list[str] = DATA) -> set[str]:
    """The catalogue's English words left in `text` once data and paths are taken out."""
    text = re.sub(r"'[^']*'|\S*/\S*|\S+@\S+", " ", text)  # quoted values, paths, addresses
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)} & _english_words()


def _coded(problems: list[str]) -> list[Refusal]:
    """Every problem, and every part of it, has a code of its own."""
    found = []
    for problem in problems:
        assert isinstance(problem, Refusal), problem
        for part in _leaves(problem):
            assert part.code != OTHER, (problem, part.params)
        found.append(problem)
    return found


def _problems(model: type[Any], data: Any) -> list[Refusal]:
    with pytest.raises(ValidationError) as exc:
        model.model_validate(data)
    return _coded(validation_problems(exc.value))


def test_pydantics_checks_of_a_meeting_definition_in_russian() -> None:
    data = meeting_data(zone="Mars/Base", format="sideways", colour="blue")
    del data["title"]
    data["start"] = "tomorrow"
    data["participants"] = "kz-nfp"
    problems = _problems(MeetingDefinition, data)
    assert {p.params["field"] for p in problems} >= {"title", "zone", "format", "colour", "start"}
    english = {str(p) for p in problems}
    assert "title: Field required" in english
    assert "format: Input should be 'in_person', 'online' or 'hybrid'" in english
    russian = {p.params["field"]: p.text("ru") for p in problems}
    assert russian["title"] == "название: обязательное поле"
    assert russian["format"] == "формат: допустимое значение: 'in_person', 'online' или 'hybrid'"
    assert russian["zone"].startswith("часовой пояс: неизвестный часовой пояс 'Mars/Base'")
    for text in russian.values():
        assert _english(text) == set(), text


def test_a_directorys_problems_in_russian() -> None:
    d = central_asia().model_dump(mode="json")
    person = dict(d["participants"][0], email="not-an-email", zone="Mars/Base")
    d["participants"] = [*d["participants"], person]
    d["countries"] = [*d["countries"], dict(d["countries"][0], region="NOWHERE")]
    problems = _problems(Directory, d)
    for p in problems:
        assert _english(p.text("ru")) == set(), p.text("ru")
    d = central_asia().model_dump(mode="json")
    d["participants"] = [*d["participants"], d["participants"][0]]
    (whole,) = _problems(Directory, d)
    codes = [getattr(x, "code", None) for x in each(whole)]
    assert codes == ["directory.twice.participant", "directory.twice.email"]
    assert _english(whole.text("ru")) == set(), whole.text("ru")


def _plan(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["meeting", "plan", str(path)])
    return code, capsys.readouterr().err


@pytest.fixture
def russian_cli(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    """`rtm` on the `store`, as secretariat.ca, in a Russian terminal (nothing reaches
    Temporal: every command here is refused before)."""
    monkeypatch.setenv("DATABASE_URL", store.url)
    monkeypatch.setenv("RTM_USER", "secretariat.ca")
    monkeypatch.setenv("TEMPORAL_ADDRESS", "127.0.0.1:9")
    monkeypatch.setenv("LANGUAGE", "ru")
    return store


def test_the_cli_refuses_a_meeting_file_in_russian(
    russian_cli: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "meeting.yaml"
    cases: dict[str, str] = {}
    data = meeting_data(zone="Mars/Base", format="sideways")
    del data["title"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    code, cases["pydantic"] = _plan(path, capsys)
    assert code == 2 and "название: обязательное поле" in cases["pydantic"]
    path.write_text(yaml.safe_dump(meeting_data(series="HRS"), allow_unicode=True))
    code, cases["series"] = _plan(path, capsys)
    assert code == 2 and "серия: неизвестная серия 'HRS'" in cases["series"]
    russian_cli.set_active("kz-nfp", False)
    path.write_text(yaml.safe_dump(meeting_data(participants=["kz-nfp"]), allow_unicode=True))
    code, cases["deactivated"] = _plan(path, capsys)
    assert code == 2 and "в справочнике отключена" in cases["deactivated"]
    path.write_bytes(b"title: \xff\n")
    code, cases["not utf-8"] = _plan(path, capsys)
    assert code == 2 and "UTF-8" in cases["not utf-8"]
    code, cases["missing"] = _plan(tmp_path / "nowhere.yaml", capsys)
    assert code == 2 and "файл или каталог не найден" in cases["missing"]
    path.write_text("id: A\nid: B\n")
    code, cases["twice"] = _plan(path, capsys)
    assert code == 2 and "встречается дважды" in cases["twice"]
    path.write_text("title: x\n\tid: y\n")
    code, cases["yaml"] = _plan(path, capsys)
    assert code == 2 and "строка 2, столбец 1: отступ нельзя делать табуляцией" in cases["yaml"]
    (tmp_path / "meeting.json").write_text('{"title": }')
    code, cases["json"] = _plan(tmp_path / "meeting.json", capsys)
    assert code == 2 and "строка 1, столбец 11: ожидается значение" in cases["json"]
    for name, err in cases.items():
        assert err.startswith("ошибка: ") and _english(err) == set(), (name, err)
    (tmp_path / "dir.yaml").write_text("regions: [{code: CA, name: X}]\nbogus: 1\n")
    code = main(["directory", "load", str(tmp_path / "dir.yaml")])
    err = capsys.readouterr().err
    assert code == 2 and _english(err) == set(), err  # a region's secretariat may not load


def _words(page: str) -> str:
    reader = _Text()
    reader.feed(page)
    return " ".join(reader.text)


async def test_the_consoles_forms_refuse_in_russian(
    dev_env: WorkflowEnvironment, store: Store, catcher: SmtpCatcher
) -> None:
    from tests.console_browser import CSRF, console_site, signed_in  # Playwright: not for -m unit

    async with console_site(dev_env.client, store, catcher) as site:
        http, csrf = await signed_in(site.base, catcher, "officer.secretariat.ca@example.org")
        async with http:
            form = {"csrf": csrf, "id": "kz-new", "name": "Новый Участник", "role": "expert"}
            form |= {"email": "not-an-email", "country": "KZ", "zone": "Mars/Base"}
            async with http.post(f"{site.base}/console/directory/new", data=form) as r:
                assert r.status == 400
                page = await r.text()
            assert '<html lang="ru">' in page
            words = _words(page)
            assert "не является корректным адресом электронной почты" in words
            assert "неизвестный часовой пояс" in words
            assert _english(words, [*DATA, "Новый Участник"]) == set(), words
            taken = form | {"email": "nfp.kz@example.org", "zone": "Asia/Almaty"}
            async with http.post(f"{site.base}/console/directory/new", data=taken) as r:
                assert r.status == 400
                words = _words(await r.text())
            assert "адрес nfp.kz@example.org уже принадлежит kz-nfp" in words, words
            assert _english(words, [*DATA, "Новый Участник", "kz-new"]) == set(), words
            csv = "id,name,email,role,country,zone\nkz-x,Икс,not-an-email,expert,KZ,Mars/Base\n"
            async with http.get(f"{site.base}/console/directory/import") as r:
                token = CSRF.findall(await r.text())[0]
            data = {"csrf": token, "text": csv}
            async with http.post(f"{site.base}/console/directory/import", data=data) as r:
                page = await r.text()
            words = _words(page)
            assert "не является корректным адресом электронной почты" in words, words
            columns = "id, name, email, role, country, organisation, language, zone"
            shown = [*DATA, *csv.splitlines(), columns, "id, name, email, role", "Timur Yusupov"]
            assert _english(words, shown) == set(), words
            bad = f"{site.base}/console/meetings/RTM-CA-16/report.md?language=de"
            async with http.get(bad) as r:
                assert r.status == 400
                said = await r.text()
            assert said.startswith("язык: 'de' не входит в число допустимых значений"), said
            assert _english(said, [*DATA, "'de'"]) == set(), said


def test_an_agenda_that_does_not_fit_says_so_in_russian() -> None:
    d = date.fromisoformat(meeting_data()["start"][:10])
    sessions = {d: [Session(start=time(9), end=time(10))]}
    with pytest.raises(AgendaDoesNotFit) as exc:
        slot_items([SlotItem(id="I1", minutes=90)], [d], sessions)
    (refusal,) = exc.value.args
    assert isinstance(refusal, Refusal) and refusal.code == "agenda.too_long"
    assert refusal.text("ru").startswith("пункт 'I1' (90 мин.) длиннее любой сессии")
    assert _english(refusal.text("ru")) == set()


def test_a_pseudo_locale_writes_pydantics_checks_and_the_field_names(pseudo_locale: str) -> None:
    data = meeting_data(zone="Mars/Base", format="sideways")
    del data["title"]
    data["venue"] = {"city": "Dubai"}
    for problem in _problems(MeetingDefinition, data):
        text = problem.text(pseudo_locale)
        assert text.startswith("⟦") and "⟧: ⟦" in text, text  # the field's name too
        assert _english(text, [*DATA, "Dubai"]) == set(), text


def test_a_cycles_refusals_in_russian() -> None:
    from starter.client.cycle_months import CycleError, months_of

    for text in ("jan,jul", "0,13"):
        with pytest.raises(CycleError) as exc:
            months_of(text)
        russian = exc.value.refusal.text("ru")
        assert russian.startswith("месяцы: "), russian
        assert _english(russian) == set(), russian
    paused = Refusal("cycle.paused", region="CA", hint="rtm cycle resume --region CA")
    assert paused == "the CA cycle is paused: rtm cycle resume --region CA"
    assert paused.text("ru") == "цикл региона CA приостановлен: rtm cycle resume --region CA"


@pytest.mark.parametrize(("name", "value"), [
    ("SMTP_PORT", "abc"), ("SMTP_PORT", "70000"), ("SMTP_STARTTLS", "maybe"),
    ("SMTP_TIMEOUT", "-1"), ("RTM_WORKFLOW_TASKS", "1"),
])  # fmt: skip
def test_a_bad_setting_is_refused_in_the_terminals_language(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    monkeypatch.setenv("LANGUAGE", "ru")
    assert main(["meeting", "status", "RTM-CA-16"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ошибка: {name}: ") and f"(задано {value!r})" in err, err
    assert _english(err, [name, "maybe"]) == set(), err
