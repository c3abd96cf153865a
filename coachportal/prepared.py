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
