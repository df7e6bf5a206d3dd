"""Django's PostgreSQL backend, emptying the test database with DELETE after each
transactional test instead of TRUNCATE (dateline/settings/test.py chooses it).

Django empties every table after each test that commits (the browser tests, the live
server's) with one TRUNCATE of all 69. PostgreSQL gives each truncated table and index new
files, so that statement took 0.4 to 0.6 s of the server's time on the 2-core machine
whatever the tables held; a DELETE of a few rows, or none, takes a fraction of a millisecond.
The foreign keys Django makes are deferred to the commit, when every table is empty, so the
order does not matter. Resetting sequences or cascading to tables outside Django's is left
to TRUNCATE, as before. Every other query is the stock backend's.
"""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return super().sql_flush(style, tables, reset_sequences=reset_sequences,
                                     allow_cascade=allow_cascade)
        return [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
                for table in tables]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
