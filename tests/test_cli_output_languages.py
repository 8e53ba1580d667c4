"""What `rtm` prints when all goes well, in the operator's language: the status table's
headings and lines, counts, success lines; in English as before; `--json` the same in
every language (scripts read it)."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from starter.cli.main import main
from starter.devstack.catcher import SmtpCatcher
from tests.factories import central_asia, meeting
from tests.harness import invited, plan, running_worker
from tests.test_refusals_russian import _english

CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def _terminal(monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "ru_RU.UTF-8" if lang == "ru" else "C.UTF-8")


async def _out(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    capsys.readouterr()
    assert await asyncio.to_thread(main, list(argv)) == 0
    return capsys.readouterr().out


def _data(store: Store) -> list[str]:
    """What the directory and the meeting say (names, ids, addresses, codes), not `rtm`."""
    people = store.participants()
    values = [p.name for p in people] + [p.id for p in people] + [p.email for p in people]
    values += [c.name for c in store.countries()] + [o.name for o in store.organisations()]
    values += [r.name for r in store.regions()] + [r.secretariat_city for r in store.regions()]
    values += [p.role.value for p in people]  # the code a directory file gives, as typed there
    values += ["UTC", "sqlite", "rtm.db"]
    return values


def _without(text: str, data: list[str]) -> str:
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return text


async def test_the_status_and_the_lists_in_russian_and_english(
    cli_env: WorkflowEnvironment,
    store: Store,
    catcher: SmtpCatcher,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    m = meeting(countries=["KZ"], organisations=[])
    async with running_worker(cli_env.client, store, catcher.port) as queue:
        await invited(await plan(cli_env.client, m, queue))
        said: dict[str, dict[str, str]] = {}
        for lang in ("en", "ru"):
            _terminal(monkeypatch, lang)
            said[lang] = {
                "status": await _out(capsys, "meeting", "status", m.id),
                "json": await _out(capsys, "meeting", "status", m.id, "--json"),
                "directory": await _out(capsys, "directory", "list"),
                "directory json": await _out(capsys, "directory", "list", "--json"),
                "actions": await _out(capsys, "actions", "list", "--region", "CA"),
            }
        _terminal(monkeypatch, "ru")
        answered = await _out(capsys, "rsvp", m.id, "kz-nfp", "--attend", "in-person")
    en, ru = said["en"], said["ru"]
    sent = sum(1 for p in central_asia().participants if p.country == "KZ")
    assert f"invitations: {sent} sent, 0 failed, 0 pending" in en["status"]
    assert "  participant      from      invitation answer     via            mail in email" in (
        en["status"])  # fmt: skip
    assert f"приглашения: отправлено {sent}, с ошибкой 0, в очереди 0" in ru["status"]
    assert "  участник         от        приглашение ответ      канал          язык    " in (
        ru["status"])  # fmt: skip
    assert "этап: регистрация, номер рассылки 0; регистрация до " in ru["status"], ru["status"]
    assert "phase registration, invitation sequence 0; registration until " in en["status"]
    assert "повестка дня: версия " in ru["status"] and "не опубликована" in ru["status"]
    assert "предстоящие напоминания (" in ru["status"]
    assert f"Participants ({len(store.participants())}):" in en["directory"]
    assert f"Участники ({len(store.participants())}):" in ru["directory"]
    assert "Организации:" in ru["directory"] and "(секретариат: " in ru["directory"]
    assert en["actions"] == "0 action items\n" and ru["actions"] == "0 поручений\n"
    assert m.venue is not None
    data = [m.id, m.title, m.zone, m.venue.city, m.venue.name, *_data(store)]
    for name in ("status", "directory", "actions"):
        assert CYRILLIC.search(ru[name]), name
        assert not CYRILLIC.search(_without(en[name], data)), name
        assert _english(ru[name], data) == set(), (name, ru[name])
    assert answered.endswith("(kz-nfp): очный\n"), answered  # the answer in the reader's words
    # --json is the engine's data: the same bytes whatever the terminal's language
    assert ru["json"] == en["json"] and json.loads(ru["json"])["phase"] == "registration"
    assert ru["directory json"] == en["directory json"]


# The word after the count, by CLDR's plural category of the count (an oracle of its own).
FORMS = {"en": {"one": "meeting", "other": "meetings"},
         "ru": {"one": "совещание", "few": "совещания", "many": "совещаний"}}  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_counts_take_the_languages_plural(
    cli_env: WorkflowEnvironment,
    store: Store,
    catcher: SmtpCatcher,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
) -> None:
    from babel import Locale

    m = meeting(id=f"RTM-CA-PLURAL-{lang.upper()}", countries=["KZ"], organisations=[])
    async with running_worker(cli_env.client, store, catcher.port) as queue:
        await invited(await plan(cli_env.client, m, queue))
        _terminal(monkeypatch, lang)
        deadline = asyncio.get_running_loop().time() + 20
        while True:  # the list is the visibility store's: it catches up within seconds
            listed = await _out(capsys, "meeting", "list", "--region", "CA")
            if m.id in listed or asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.5)
    *rows, last = listed.splitlines()
    assert any(row.startswith(m.id) for row in rows), listed
    assert all(("started " if lang == "en" else "начато ") in row for row in rows), listed
    n = len(rows)
    assert last == f"{n} {FORMS[lang][Locale(lang).plural_form(n)]}", listed


async def test_charts_of_an_unknown_region_refused_in_russian(
    cli_env: WorkflowEnvironment,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _terminal(monkeypatch, "ru")
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["charts", "--region", "ZZ"]) == 2
    assert capsys.readouterr().err == "ошибка: регион: неизвестный регион 'ZZ'\n"
