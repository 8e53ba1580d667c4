"""Reports read with a statement timeout of their own (RTM_REPORT_TIMEOUT); the request path
keeps its short one (RTM_DB_TIMEOUT), so a long report neither fails nor loosens it."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from activities.config import Settings
from activities.store import Store
from starter.cli.common import open_store


def _statement_timeout(store: Store) -> str:
    with store.engine.connect() as conn:
        return str(conn.execute(text("SHOW statement_timeout")).scalar_one())


def test_a_report_query_may_outlast_the_request_paths_timeout(postgres_url: str) -> None:
    store = Store(postgres_url, timeout=0.3, report_timeout=5)
    slow = text("SELECT pg_sleep(0.8)")
    with pytest.raises(OperationalError, match="statement timeout"), store.engine.connect() as c:
        c.execute(slow)
    reports = store.for_reports()
    with reports.engine.connect() as conn:
        conn.execute(slow)  # the same query, on the reports' engine, completes
    assert store.for_reports() is reports and reports.for_reports() is reports
    assert _statement_timeout(store) == "300ms"


def test_the_cli_opens_reports_with_rtm_report_timeout(postgres_url: str) -> None:
    Store(postgres_url).upgrade_schema()
    settings = Settings(database_url_env=postgres_url, db_timeout=4, report_timeout=90)
    assert _statement_timeout(open_store(settings)) == "4s"
    assert _statement_timeout(open_store(settings, reports=True)) == "90s"
    assert Settings().report_timeout == 120 and Settings().db_timeout == 5
