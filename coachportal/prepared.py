"""Model instances read with statements composed once, for the reads every signed-in request makes.

Each page behind login reads the person (Django's authentication backend) and their memberships (the
organization gate). Built by the ORM, each query's construction cost about a millisecond of CPU per request,
several times what the database spends on it (measured for the throughput work of issue 18); the
statements here are written once per database from the models' own table and column names, and the rows
become instances through the same field converters and `Model.from_db` the ORM uses, so the instances
are the ones the ORM would give.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connections
from django.db.models import Model


@dataclass(frozen=True)
class Columns:
    """A model's concrete columns as SELECT text (from the table aliased `alias`), and their converters."""

    model: type[Model]
    sql: str
    attnames: list[str]
    converters: list[tuple[int, list, object]]  # (position, converters, expression) of columns that need them

    @classmethod
    def of(cls, model: type[Model], alias: str, connection) -> Columns:
        ops, meta = connection.ops, model._meta
        fields = meta.concrete_fields
        converters = []
        for position, field in enumerate(fields):
            column = field.get_col(meta.db_table)
            found = field_converters(field, column, connection)
            if found:
                converters.append((position, found, column))
        sql = ", ".join(f"{alias}.{ops.quote_name(f.column)}" for f in fields)
        return cls(model, sql, [f.attname for f in fields], converters)

    @property
    def width(self) -> int:
        return len(self.attnames)

    def instance(self, values, *, using: str, connection) -> Model:
        """The model instance of one row's values for these columns (converted as the ORM does)."""
        return self.model.from_db(using, self.attnames, converted(values, self.converters, connection))


@dataclass(frozen=True)
class WithRelated:
    """A model's rows each with the instance one of its foreign keys names, as `select_related(field)`
    reads them: `columns` is the SELECT list and `joined` the FROM clause (the model's table aliased
    `aliases[0]`, LEFT OUTER JOINed to the related table aliased `aliases[1]`), to which a caller adds its
    own conditions and order."""

    main: Columns
    related: Columns
    field: str
    columns: str
    joined: str

    @classmethod
    def of(cls, model: type[Model], field: str, connection, aliases: tuple[str, str]) -> WithRelated:
        alias, related_alias = aliases
        related_model = model._meta.get_field(field).related_model
        main, related = (
            Columns.of(model, alias, connection),
            Columns.of(related_model, related_alias, connection),
        )
        related_pk = connection.ops.quote_name(related_model._meta.pk.column)
        joined = (
            f"{quoted(connection, model)} {alias} LEFT OUTER JOIN {quoted(connection, related_model)}"
            f" {related_alias} ON {related_alias}.{related_pk} = {alias}.{quoted(connection, model, field)}"
        )
        return cls(main, related, field, f"{main.sql}, {related.sql}", joined)

    @property
    def width(self) -> int:
        return self.main.width + self.related.width

    def instance(self, values, *, using: str, connection) -> Model:
        """The instance of one row's values (its first `width`), its related instance set (None where the
        key is null), as select_related leaves it."""
        found = self.main.instance(values[: self.main.width], using=using, connection=connection)
        field = found._meta.get_field(self.field)
        related = None
        if getattr(found, field.attname) is not None:
            related = self.related.instance(
                values[self.main.width : self.width], using=using, connection=connection
            )
        field.set_cached_value(found, related)
        return found


def field_converters(field, expression, connection) -> list:
    """The converters the ORM applies to a value of `field` read as `expression` (the backend's, then the
    field's own)."""
    return [*connection.ops.get_db_converters(expression), *field.get_db_converters(connection)]


def converted(values, converters: list[tuple[int, list, object]], connection) -> list:
    """One row's values with each (position, converters, expression) applied, as the ORM converts them."""
    values = list(values)
    for position, found, expression in converters:
        value = values[position]
        for convert in found:
            value = convert(value, expression, connection)
        values[position] = value
    return values


def quoted(connection, model: type[Model], field: str | None = None) -> str:
    """A model's table, or one field's column, quoted for this database."""
    meta = model._meta
    return connection.ops.quote_name(meta.db_table if field is None else meta.get_field(field).column)


def fetch(using: str, sql: str, params: list) -> tuple[object, list[tuple]]:
    """(connection, rows) of one statement on the database `using`."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return connection, cursor.fetchall()
