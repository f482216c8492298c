"""The OpenAPI 3.1 document of /api/v1/, built on each request.

The case list's parameters are read from the case browser's FilterSet itself, and the codes
(regions, states, themes, fiscal years) from the register, so the document always describes
what the API accepts today.
"""

from django import forms
from django.utils import translation

from cases.filters import CaseFilter
from cases.models import (
    Case,
    CaseFormat,
    CaseStatus,
    MissionKind,
    PartnerRole,
    Region,
    State,
    StateKind,
    Theme,
    ThemeGroup,
)
from exchange.columns import COLUMNS_BY_KEY
from exchange.filtering import fiscal_year_limits

ERROR = {"$ref": "#/components/schemas/Error"}
RESERVED = {"page", "page_size"}


def _json(schema_ref: str, description: str) -> dict:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}
        },
    }


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def _nullable(schema: dict) -> dict:
    schema = dict(schema)
    schema["type"] = [schema["type"], "null"]
    return schema


def _text(value) -> str:
    return str(value) if value else ""


def filter_parameters() -> list[dict]:
    """The case browser's filters as query parameters, read from its form's fields."""
    form = CaseFilter(queryset=Case.objects.none()).form
    parameters = []
    for name, field in form.fields.items():
        if name in RESERVED:
            continue
        schema = _field_schema(field)
        description = " ".join(filter(None, [_text(field.label), _text(field.help_text)]))
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": description,
                "schema": schema,
            }
        )
    return parameters


def _field_schema(field) -> dict:
    if isinstance(field, forms.ModelChoiceField):
        key = field.to_field_name or "pk"
        values = list(field.queryset.order_by(key).values_list(key, flat=True))
        return {"type": "string", "enum": [str(v) for v in values]}
    if isinstance(field, forms.TypedChoiceField):
        keys = [key for key, _label in _flat_choices(field.choices) if key not in ("", None)]
        if field.coerce is int:
            return {"type": "integer", "enum": [int(key) for key in keys]}
        return {"type": "string", "enum": [str(key) for key in keys]}
    if isinstance(field, forms.ChoiceField):
        keys = [key for key, _label in _flat_choices(field.choices) if key not in ("", None)]
        return {"type": "string", "enum": [str(key) for key in keys]}
    if isinstance(field, forms.NullBooleanField | forms.BooleanField):
        return {"type": "boolean"}
    if isinstance(field, forms.IntegerField):
        schema = {"type": "integer"}
        if field.min_value is not None:
            schema["minimum"] = field.min_value
        if field.max_value is not None:
            schema["maximum"] = field.max_value
        return schema
    if isinstance(field, forms.DecimalField | forms.FloatField):
        return {"type": "number"}
    if isinstance(field, forms.DateField):
        return {"type": "string", "format": "date"}
    schema = {"type": "string"}
    if getattr(field, "max_length", None):
        schema["maxLength"] = field.max_length
    return schema


def _flat_choices(choices):
    for key, label in choices:
        if isinstance(label, list | tuple):
            yield from _flat_choices(label)
        else:
            yield key, label


def stats_parameters() -> list[dict]:
    first, last = fiscal_year_limits()
    year = {"type": "integer", "minimum": first, "maximum": last}
    return [
        {
            "name": "from_fy",
            "in": "query",
            "description": "First fiscal year (inclusive). A fiscal year runs 1 April to 31 March "
            "and is named by the year it starts in.",
            "schema": year,
        },
        {
            "name": "to_fy",
            "in": "query",
            "description": "Last fiscal year (inclusive); not before from_fy.",
            "schema": year,
        },
        {
            "name": "region",
            "in": "query",
            "description": "Only cases led by this region (code).",
            "schema": {"type": "string", "enum": _codes(Region, "code")},
        },
        {
            "name": "state",
            "in": "query",
            "description": "Only cases in this state (USPS code).",
            "schema": {"type": "string", "enum": _codes(State, "code")},
        },
        {
            "name": "theme",
            "in": "query",
            "description": "Only cases with this theme (slug).",
            "schema": {"type": "string", "enum": _codes(Theme, "slug")},
        },
    ]


def _codes(model, field: str) -> list[str]:
    return list(model.objects.order_by(field).values_list(field, flat=True))


def _string(description: str = "", **extra) -> dict:
    return {"type": "string", **({"description": description} if description else {}), **extra}


def case_schema() -> dict:
    column = COLUMNS_BY_KEY
    properties = {
        "id": {"type": "integer", "minimum": 1, "description": str(column["id"].help)},
        "external_ref": _string(str(column["external_ref"].help)),
        "title_en": _string(),
        "title_ja": _string(),
        "summary_en": _string(),
        "summary_ja": _string(),
        "start_date": _string("The local date of the event.", format="date"),
        "end_date": _nullable(_string("Last day, or null for a one-day case.", format="date")),
        "fiscal_year": {"type": "integer", "description": str(column["fiscal_year"].help)},
        "region": _string("Code of the region whose mission led the case."),
        "state": _nullable(_string("USPS code, or null for a case with no single state.")),
        "city_en": _string(),
        "city_ja": _string(),
        "format": _string(enum=list(CaseFormat.values)),
        "status": _string(enum=list(CaseStatus.values)),
        "is_public": {"type": "boolean"},
        "is_best_practice": {"type": "boolean"},
        "participants": _nullable({"type": "integer", "minimum": 0}),
        "themes": {"type": "array", "items": {"type": "string"}, "description": "Theme slugs."},
        "partners": {"type": "array", "items": {"$ref": "#/components/schemas/PartnerRole"}},
        "url": _nullable(_string("The case's page on the portal.", format="uri")),
    }
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _stats_schema(by: str, key: dict, extra: dict | None = None) -> dict:
    row = {
        "key": key,
        "label_en": {"type": "string"},
        "label_ja": {"type": "string"},
        "cases": {"type": "integer", "minimum": 0},
        **(extra or {}),
    }
    return {
        "type": "object",
        "properties": {
            "by": {"type": "string", "const": by},
            "from_fy": {"type": ["integer", "null"]},
            "to_fy": {"type": ["integer", "null"]},
            "total": {"type": "integer", "minimum": 0},
            "rows": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": row,
                    "required": list(row),
                    "additionalProperties": False,
                },
            },
        },
        "required": ["by", "from_fy", "to_fy", "total", "rows"],
        "additionalProperties": False,
    }


def _list_schema(item: dict) -> dict:
    return {
        "type": "object",
        "properties": {
            "count": {"type": "integer", "minimum": 0},
            "results": {"type": "array", "items": item},
        },
        "required": ["count", "results"],
        "additionalProperties": False,
    }


def _object(properties: dict) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def components() -> dict:
    string = {"type": "string"}
    return {
        "schemas": {
            "Error": _object({"error": string}),
            "PartnerRole": _object(
                {
                    "name": _string("The partner's English name."),
                    "role": _string(enum=list(PartnerRole.values)),
                }
            ),
            "Case": case_schema(),
            "CasePage": _object(
                {
                    "count": {"type": "integer", "minimum": 0},
                    "next": _nullable(_string(format="uri")),
                    "previous": _nullable(_string(format="uri")),
                    "results": {"type": "array", "items": {"$ref": "#/components/schemas/Case"}},
                }
            ),
            "StatsByRegion": _stats_schema("region", string),
            "StatsByFiscalYear": _stats_schema(
                "fiscal-year",
                {"type": "integer"},
                {"cumulative": {"type": "integer", "minimum": 0}},
            ),
            "StatsByState": _stats_schema("state", {"type": ["string", "null"]}),
            "StatsByTheme": _stats_schema(
                "theme", string, {"group": {"type": "string", "enum": list(ThemeGroup.values)}}
            ),
            "Regions": _list_schema(
                _object(
                    {
                        "code": string,
                        "name_en": string,
                        "name_ja": string,
                        "mission_name_en": string,
                        "mission_name_ja": string,
                        "mission_kind": {"type": "string", "enum": list(MissionKind.values)},
                        "city_en": string,
                        "city_ja": string,
                        "states": {"type": "array", "items": string},
                    }
                )
            ),
            "States": _list_schema(
                _object(
                    {
                        "code": {"type": "string", "pattern": "^[A-Z]{2}$"},
                        "name_en": string,
                        "name_ja": string,
                        "kind": {"type": "string", "enum": list(StateKind.values)},
                        "regions": {"type": "array", "items": string},
                    }
                )
            ),
            "Themes": _list_schema(
                _object(
                    {
                        "slug": string,
                        "group": {"type": "string", "enum": list(ThemeGroup.values)},
                        "name_en": string,
                        "name_ja": string,
                        "description_en": string,
                        "description_ja": string,
                    }
                )
            ),
        }
    }


STATS_DESCRIPTIONS = {
    "region": ("StatsByRegion", "Held cases per region: all 17, zero where none."),
    "fiscal-year": (
        "StatsByFiscalYear",
        "Held cases per fiscal year with the running total, every year in the range.",
    ),
    "state": (
        "StatsByState",
        "Held cases per state; a last row with key null counts cases with no single state.",
    ),
    "theme": (
        "StatsByTheme",
        "Held cases per theme; a case counts under each of its themes.",
    ),
}


def openapi_document(request) -> dict:
    from exchange.api import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

    with translation.override("en"):
        case_parameters = filter_parameters()
        stats_params = stats_parameters()
    paths = {
        "/cases/": {
            "get": {
                "operationId": "listCases",
                "summary": "Public cases, with the case browser's filters, a page at a time.",
                "description": "Only held cases marked public are listed. Ordered newest first "
                "(or by `sort`), then by id, so pages are stable.",
                "parameters": [
                    *case_parameters,
                    {
                        "name": "page",
                        "in": "query",
                        "description": "Page number, from 1.",
                        "schema": {"type": "integer", "minimum": 1},
                    },
                    {
                        "name": "page_size",
                        "in": "query",
                        "description": f"Cases per page (default {DEFAULT_PAGE_SIZE}); larger "
                        f"values are capped at {MAX_PAGE_SIZE}.",
                        "schema": {"type": "integer", "minimum": 1},
                    },
                ],
                "responses": {
                    "200": _json("CasePage", "A page of public cases."),
                    "400": _error("A parameter has a value the filters do not accept."),
                    "404": _error("The page is beyond the last."),
                },
            }
        },
        "/cases/{id}/": {
            "get": {
                "operationId": "getCase",
                "summary": "One public case.",
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1, "format": "int64"},
                    }
                ],
                "responses": {
                    "200": _json("Case", "The case."),
                    "404": _error("No public case has this id."),
                },
            }
        },
    }
    for by, (schema, summary) in STATS_DESCRIPTIONS.items():
        paths[f"/stats/{by}/"] = {
            "get": {
                "operationId": "stats" + "".join(p.title() for p in by.split("-")),
                "summary": summary,
                "description": "The same figures, in the same shape, as `manage.py case_stats "
                f"--by {by} --format json`. Only held cases count, public or not.",
                "parameters": stats_params,
                "responses": {
                    "200": _json(schema, "The figures."),
                    "400": _error("A filter names an unknown code or an impossible range."),
                },
            }
        }
    for name, schema, summary in (
        ("regions", "Regions", "The 17 regions (consular districts) and their states."),
        ("states", "States", "The 50 states, DC and 5 territories and their regions."),
        ("themes", "Themes", "The themes cases are filed under."),
    ):
        paths[f"/{name}/"] = {
            "get": {
                "operationId": f"list{schema}",
                "summary": summary,
                "responses": {"200": _json(schema, summary)},
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Grassroots Portal open data",
            "version": "1.0.0",
            "description": "Read-only figures and public cases of the Task Force on "
            "Strengthening Japan–US Relations from the Grassroots. Errors are JSON: "
            '{"error": "..."}.',
            "license": {"name": "Public data: reuse it with attribution to the Task Force."},
        },
        "servers": [{"url": request.build_absolute_uri("/api/v1")}],
        "paths": paths,
        "components": components(),
    }
