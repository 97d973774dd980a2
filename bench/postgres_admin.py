"""The PostgreSQL administration benchmarks need for their own databases: is the server there, run a statement."""

from __future__ import annotations


def postgres_answers(admin_url: str) -> bool:
    try:
        pg_admin(admin_url, "SELECT 1")
    except Exception:
        return False
    return True


def pg_admin(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as connection:
        connection.execute(sql.encode())  # our own fixed statements
