"""A region's secretariat sees and manages its own region only (RTM_USER in the CLI); the
coordination sees every region; an NFP is refused; a refused command changes nothing."""

from __future__ import annotations

import asyncio

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from starter.cli.inputs import read_directory
from starter.cli.main import main
from starter.data import AUDITORS, NETWORK
from tests.factories import meeting, unique_id
from tests.harness import plan

CA_HEAD = "head.secretariat.ca@example.org"
GCC_HEAD = "gcc-sec-head"
COORDINATION = "head.coordination@example.org"


def rtm(user: str, *argv: str) -> int:
    import os

    os.environ["RTM_USER"] = user
    return main(list(argv))


async def test_a_secretariat_sees_and_manages_its_region_only(
    cli_env: WorkflowEnvironment, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    store.load_directory(read_directory(NETWORK))
    ours = meeting(id=unique_id("RTM-CA-16"))
    theirs = meeting(id=unique_id("RTM-GCC-14"), region="GCC", number=14, countries=["AE", "SA"])
    for m in (ours, theirs):
        await plan(cli_env.client, m, "rtm-cli-no-worker")  # no worker: they wait, listed
        store.record_meeting(m.id, m.region, m.title, "scheduled", m.model_dump_json())

    async def run(user: str, *argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = await asyncio.to_thread(rtm, user, *argv)
        out = capsys.readouterr()
        return code, out.out, out.err

    async def listed(user: str) -> str:
        for _ in range(60):  # visibility is eventually consistent
            code, out, _err = await run(user, "meeting", "list")
            assert code == 0
            if ours.id in out or theirs.id in out:
                await asyncio.sleep(0.5)
                return (await run(user, "meeting", "list"))[1]
            await asyncio.sleep(0.3)
        raise AssertionError("visibility never caught up")

    out = await listed(CA_HEAD)
    assert ours.id in out and theirs.id not in out
    out = await listed(COORDINATION)
    assert ours.id in out and theirs.id in out

    code, _, err = await run(CA_HEAD, "meeting", "list", "--region", "GCC")
    assert code == 2 and "manages region CA only" in err
    code, _, err = await run(CA_HEAD, "audit", theirs.id)
    assert code == 2 and f"no meeting {theirs.id!r} in region CA" in err
    code, out, _ = await run(CA_HEAD, "audit", ours.id)
    assert code == 0 and ours.id in out
    code, _, err = await run(CA_HEAD, "meeting", "cancel", theirs.id)
    assert code == 2 and "in region CA" in err
    code, _, err = await run(CA_HEAD, "cycle", "show", "--region", "GCC")
    assert code == 2 and "manages region CA only" in err
    code, _, err = await run(CA_HEAD, "directory", "load", str(NETWORK))
    assert code == 2 and "may not load" in err

    store.set_active("kz-deputy", False)
    code, out, _ = await run(CA_HEAD, "directory", "list")
    assert code == 0 and "Central Asia" in out and "Gulf" not in out
    assert "nfp.kz@example.org" in out and "nfp.sa@example.org" not in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ")}
    assert lines["kz-deputy"].endswith("(deactivated)") and "deactivated" not in lines["kz-nfp"]

    assert await run(GCC_HEAD, "ideas", "add", "--region", "GCC", "--title", "Gulf idea") == (
        0, "PI-GCC-1 recorded: Gulf idea; on the agenda of GCC's next RTM\n", ""
    )  # fmt: skip
    code, _, err = await run(CA_HEAD, "ideas", "add", "--region", "GCC", "--title", "Sneaky")
    assert code == 2 and "manages region CA only" in err
    code, _, err = await run(CA_HEAD, "ideas", "decide", "PI-GCC-1", "--status", "rejected")
    assert code == 2 and "unknown project idea 'PI-GCC-1'" in err
    assert [i.title for i in store.ideas("GCC")] == ["Gulf idea"]  # nothing changed
    assert store.ideas("GCC")[0].status.value == "open"
    assert (await run(CA_HEAD, "ideas", "add", "--region", "CA", "--title", "Bio lab"))[0] == 0
    code, out, _ = await run(CA_HEAD, "ideas", "list")
    assert code == 0 and "Bio lab" in out and "Gulf idea" not in out
    code, out, _ = await run(COORDINATION, "ideas", "list")
    assert "Bio lab" in out and "Gulf idea" in out

    code, _, err = await run("nfp.kz@example.org", "meeting", "list")
    assert code == 2 and "is not secretariat staff" in err
    store.load_directory(read_directory(AUDITORS))
    code, out, _ = await run("auditor", "ideas", "list")  # an auditor reads every region
    assert code == 0 and "Bio lab" in out and "Gulf idea" in out
    code, _, err = await run("auditor", "ideas", "add", "--region", "CA", "--title", "No")
    assert code == 2 and "changes nothing" in err
    code, out, _ = await run("secretariat.ca", "meeting", "list")  # the operator: everything
    assert code == 0 and ours.id in out and theirs.id in out
