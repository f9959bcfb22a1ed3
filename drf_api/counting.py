"""Exact row counts of whole tables without COUNT(*): kept by the database itself.

A paginated list answers with its `count` on every page. For a list that filters nothing, that
was a COUNT(*) over the whole table on every request: 48 ms for 200,000 posts on PostgreSQL
(make bench), more than the page itself. Instead, triggers keep each counted table's number of
rows in `drf_api_row_count`, in the same transaction as the rows (so it is never more wrong
than the rows themselves are uncommitted), and `exact_count()` reads that one row.

Whatever changes the table goes through the triggers: the ORM, cascades, bulk statements, COPY,
raw SQL, TRUNCATE. Only writes with triggers disabled
(`session_replication_role = replica`, which the benchmark's bulk build uses) must call
`recount()` afterwards.

On PostgreSQL the triggers are per statement, so a bulk insert or cascade updates the counter
once. The counter row is locked until the writing transaction commits: concurrent inserts into
one counted table take turns at that instant, which is cheap at this API's write rates; count
only tables whose unfiltered list is long.

PostgreSQL only: SQLite (the local default) counts a small table quickly, and its schema editor
rebuilds a table for most changes, which would silently drop the triggers. There, and for any
table not counted, `exact_count()` is `queryset.count()`.
"""
from django.db import connection
from django.db.migrations.operations.base import Operation

COUNTER_TABLE = "drf_api_row_count"

POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION drf_api_row_count_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE {COUNTER_TABLE} SET row_count = row_count + (SELECT count(*) FROM new_rows)
        WHERE table_name = TG_TABLE_NAME;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE {COUNTER_TABLE} SET row_count = row_count - (SELECT count(*) FROM old_rows)
        WHERE table_name = TG_TABLE_NAME;
    ELSE
        UPDATE {COUNTER_TABLE} SET row_count = 0 WHERE table_name = TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END
$$
"""


def trigger_sql(vendor, table):
    """The statements that start counting `table`'s rows, and those that stop."""
    names = {action: f"{table}_count_{action}" for action in ("insert", "delete", "truncate")}
    recount = [
        f"DELETE FROM {COUNTER_TABLE} WHERE table_name = '{table}'",
        f"INSERT INTO {COUNTER_TABLE} (table_name, row_count) SELECT '{table}', count(*) FROM {table}",
    ]
    if vendor == "postgresql":
        start = [
            POSTGRESQL_FUNCTION,
            f"CREATE TRIGGER {names['insert']} AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION drf_api_row_count_changed()",
            f"CREATE TRIGGER {names['delete']} AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION drf_api_row_count_changed()",
            f"CREATE TRIGGER {names['truncate']} AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION drf_api_row_count_changed()",
            *recount,
        ]
        stop = [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name in names.values()]
    else:
        return [], []
    return start, [*stop, f"DELETE FROM {COUNTER_TABLE} WHERE table_name = '{table}'"]


class TriggerOperation(Operation):
    """A migration operation that runs `statements(vendor)`: (those that start, those that stop);
    reversible, no change to the models' state. Its arguments are positional, as written."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, *args):
        self.args = args

    def statements(self, vendor):
        raise NotImplementedError

    def deconstruct(self):
        return self.__class__.__name__, list(self.args), {}

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        for statement in self.statements(schema_editor.connection.vendor)[0]:
            schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        for statement in self.statements(schema_editor.connection.vendor)[1]:
            schema_editor.execute(statement)


class CountRows(TriggerOperation):
    """Migration operation: keep an exact count of `table`'s rows from now on (trigger_sql)."""

    def statements(self, vendor):
        return trigger_sql(vendor, *self.args)

    def describe(self):
        return f"Keep an exact count of the rows of {self.args[0]}"


def stored_count(table):
    """The kept count of `table`'s rows, or None when it is not counted."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT row_count FROM {COUNTER_TABLE} WHERE table_name = %s", [table])
        row = cursor.fetchone()
    return row[0] if row else None


def filters_nothing(queryset, sliced=False):
    """Whether `queryset` holds every row of its table (joins to required rows aside); with
    `sliced`, whether it is a slice of every row."""
    query = queryset.query
    return not (query.where or query.distinct or query.combinator or query.group_by is not None
                or (not sliced and (query.low_mark or query.high_mark is not None))
                or query.extra or query.is_empty())


def reads_stored_count(queryset):
    """Whether `queryset` is a whole counted table, whose count is read rather than counted.

    A model whose table a migration counts says so with `rows_counted = True`.
    """
    return (getattr(queryset.model, "rows_counted", False) and queryset.db == "default"
            and connection.vendor == "postgresql" and filters_nothing(queryset))


def exact_count(queryset):
    """`queryset.count()`, read from the kept count when the queryset is a whole counted table."""
    if reads_stored_count(queryset):
        counted = stored_count(queryset.model._meta.db_table)
        if counted is not None:
            return counted
    return queryset.count()


def count_sql(queryset) -> tuple[str, tuple]:
    """A SELECT (SQL, params) whose one value is exact_count(queryset), to run inside another
    statement: the statement that reads a page can then bring its list's count along, instead of
    a second round trip to the database for it. NULL when a counted table's row is missing."""
    if reads_stored_count(queryset):
        return f"SELECT row_count FROM {COUNTER_TABLE} WHERE table_name = %s", (queryset.model._meta.db_table,)
    sql, params = queryset.order_by().values("pk").query.get_compiler(queryset.db).as_sql()
    return f"SELECT COUNT(*) FROM ({sql}) AS counted", params


def recount():
    """Count every counted table again (after writes made with triggers disabled), the counts kept
    per key too (a model's `rows_counted_by`: CountRowsBy)."""
    from django.apps import apps

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT table_name FROM {COUNTER_TABLE}")
        for (table,) in cursor.fetchall():
            cursor.execute(
                f"UPDATE {COUNTER_TABLE} SET row_count = (SELECT count(*) FROM {table}) WHERE table_name = %s",
                [table],
            )
        for model in apps.get_models():
            for key, condition, counter in getattr(model, "rows_counted_by", []):
                for statement in keyed_recount_sql(model._meta.db_table, key, condition, counter):
                    cursor.execute(statement)


def keyed_trigger_sql(vendor, table, key, condition, counter):
    """The statements that start keeping, in `counter` (`key` primary key, `row_count`), how many rows
    of `table` each `key` has that meet `condition` (SQL over the table's columns), and those that
    stop. PostgreSQL only, like trigger_sql(): statement-level triggers with transition tables, so
    a bulk write or cascade updates each key's row once."""
    if vendor != "postgresql":
        return [], []
    function = f"{counter}_changed"
    start = [
        f"CREATE TABLE {counter} ({key} bigint PRIMARY KEY, row_count bigint NOT NULL)",
        keyed_function_sql(key, condition, counter),
        f"CREATE TRIGGER {counter}_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {counter}_update AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows "
        f"NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {counter}_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {counter}_truncate AFTER TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        *keyed_recount_sql(table, key, condition, counter),
    ]
    stop = [f"DROP TRIGGER IF EXISTS {counter}_{action} ON {table}" for action in ("insert", "update", "delete",
                                                                                   "truncate")]
    return start, [*stop, f"DROP FUNCTION IF EXISTS {function}()", f"DROP TABLE IF EXISTS {counter}"]


def keyed_function_sql(key, condition, counter):
    """The trigger function of keyed_trigger_sql(): a key whose count falls to 0 loses its row, so
    that the counter holds exactly the keys that have rows (as keyed_recount_sql() makes it) and
    nothing is left of a key (a deleted account) that has none."""
    gone = (f"UPDATE {counter} AS c SET row_count = c.row_count - o.n FROM (SELECT {key} AS k, count(*) AS n "
            f"FROM old_rows WHERE {condition} GROUP BY {key}) AS o WHERE c.{key} = o.k")
    came = (f"INSERT INTO {counter} ({key}, row_count) SELECT {key}, count(*) FROM new_rows WHERE {condition} "
            f"GROUP BY {key} ORDER BY {key} ON CONFLICT ({key}) "
            f"DO UPDATE SET row_count = {counter}.row_count + EXCLUDED.row_count")
    emptied = (f"DELETE FROM {counter} AS c USING (SELECT DISTINCT {key} AS k FROM old_rows) AS o "
               f"WHERE c.{key} = o.k AND c.row_count = 0")
    return f"""CREATE OR REPLACE FUNCTION {counter}_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'TRUNCATE' THEN
                DELETE FROM {counter};
                RETURN NULL;
            END IF;
            IF TG_OP IN ('DELETE', 'UPDATE') THEN
                {gone};
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                {came};
            END IF;
            IF TG_OP IN ('DELETE', 'UPDATE') THEN
                {emptied};
            END IF;
            RETURN NULL;
        END
        $$"""


class KeyedCountFunction(TriggerOperation):
    """Migration operation: replace a CountRowsBy's trigger function with keyed_function_sql()'s
    (key, condition, counter), for counters made before it changed."""

    def statements(self, vendor):
        if vendor != "postgresql":
            return [], []
        key, condition, counter = self.args
        return [keyed_function_sql(key, condition, counter), f"DELETE FROM {counter} WHERE row_count = 0"], []

    def describe(self):
        return f"Replace the trigger function of {self.args[2]}"


def keyed_recount_sql(table, key, condition, counter):
    return [f"DELETE FROM {counter}",
            f"INSERT INTO {counter} ({key}, row_count) SELECT {key}, count(*) FROM {table} WHERE {condition} "
            f"GROUP BY {key}"]


class CountRowsBy(TriggerOperation):
    """Migration operation: keep, per key, how many of a table's rows meet a condition, in a
    counter table it makes (keyed_trigger_sql: table, key, condition, counter). The model says so
    with `rows_counted_by`, a list of (key, condition, counter)."""

    def statements(self, vendor):
        return keyed_trigger_sql(vendor, *self.args)

    def describe(self):
        table, key, condition, _ = self.args
        return f"Keep per {key} a count of the rows of {table} where {condition}"
