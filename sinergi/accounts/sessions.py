"""Django's database sessions, read with one plain SELECT (SESSION_ENGINE; issue 14, part 7).

Every page reads its session. Django's store does it through the ORM (`Session.objects.get(...)`), whose query
building cost 0.6 ms of CPU per request against 0.15 ms for the same SELECT written out. Only that read
differs: same table, same condition (the key, not expired), an unknown or expired key is no session, and
writing, deleting, cycling and `clearsessions` are Django's.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

# Django's Session model (table django_session); SQLite and PostgreSQL quote names alike.
_READ = 'SELECT "session_data" FROM "django_session" WHERE "session_key" = %s AND "expire_date" > %s'


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        if self.session_key is None:
            return {}
        connection = connections[router.db_for_read(self.model)]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_READ, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django's store: the next save makes a new key
            return {}
        data: dict[str, Any] = self.decode(row[0])
        return data
