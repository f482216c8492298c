"""The OpenAPI 3.1 document of /api/v1/, built on each request.

The parameters are written by the declarations the API checks requests with
(`exchange.contract`): the case list's come from the case browser's FilterSet, the codes
(regions, states, themes) from the register and the fiscal years from today's date, so the
document always describes what the API accepts today, limits included.
"""

from django.utils import translation

from cases.models import (
    CaseFormat,
    CaseStatus,
    MissionKind,
    PartnerRole,
    StateKind,
    ThemeGroup,
)
from exchange import contract
from exchange.columns import COLUMNS_BY_KEY

ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema_ref: str, description: str) -> dict:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}
        },
    }


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


# The fiscal years were once `from_fy` and `to_fy` here; old links and scripts still work.
OLD_SPELLING = {
    "description": "The query names a fiscal year by its old name (`from_fy`, `to_fy`): the "
    "same address with `from` and `to` instead, every other parameter kept in its place. "
    "When both names are given, `from` and `to` win.",
    "headers": {"Location": {"schema": {"type": "string", "format": "uri-reference"}}},
}


def _nullable(schema: dict) -> dict:
    schema = dict(schema)
    schema["type"] = [schema["type"], "null"]
    return schema


def _text(value) -> str:
    return str(value) if value else ""


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
        "county": _nullable(
            _string("County (English name); needed in California, Connecticut and Idaho.")
        ),
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


def provenance_schema() -> dict:
    both = {
        "type": "object",
        "properties": {"en": {"type": "string"}, "ja": {"type": "string"}},
        "required": ["en", "ja"],
        "additionalProperties": False,
    }
    properties = {
        "data_date": {
            "type": ["string", "null"],
            "format": "date-time",
            "description": "When the data last changed in a way that affects this answer.",
        },
        "filters": {"type": "object", "additionalProperties": True},
        "count": {"type": "integer", "minimum": 0},
        "counting_rule": both,
        "link": {"type": "string", "description": "The same data on the portal."},
        "licence": both,
        "demonstration_data": {"type": "boolean"},
        "demonstration_label": {"oneOf": [both, {"type": "null"}]},
    }
    return {
        "type": "object",
        "description": "Where the answer comes from: data date, filters, count, counting rule, "
        "link, licence (Government of Japan Standard Terms of Use 2.0, compatible with "
        "CC BY 4.0) and whether the register holds demonstration data.",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


PROVENANCE_REF = {"$ref": "#/components/schemas/Provenance"}


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
            "provenance": PROVENANCE_REF,
        },
        "required": ["by", "from_fy", "to_fy", "total", "rows", "provenance"],
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
                    "count": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "The number of cases the filters give, when "
                        "count_exact is true. A list longer than the depth pages reach (10,000 "
                        "cases; 1,000 for a text search, q) may be counted only that far: "
                        "count_exact is then false and count is the depth, meaning more "
                        "than that.",
                    },
                    "count_exact": {
                        "type": "boolean",
                        "description": "Whether count is the exact number of cases; false: "
                        "the list has more than count cases.",
                    },
                    "sort": _string(
                        "The order of the results: the sort asked for (newest by default), "
                        "or newest when a text search with more cases than its depth asked "
                        "for title or region (those would read and sort every match).",
                        enum=["newest", "oldest", "title", "region"],
                    ),
                    "next": _nullable(_string(format="uri")),
                    "previous": _nullable(_string(format="uri")),
                    "results": {"type": "array", "items": {"$ref": "#/components/schemas/Case"}},
                    "provenance": PROVENANCE_REF,
                }
            ),
            "Provenance": provenance_schema(),
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
            **_reference_schemas(),
        }
    }


def _reference_schemas() -> dict:
    """The reference lists: regions, states and themes."""
    string = {"type": "string"}
    return {
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


def _case_paths(case_parameters: list) -> dict:
    """The case list and one case."""
    return {
        "/cases/": {
            "get": {
                "operationId": "listCases",
                "summary": "Public cases, with the case browser's filters, a page at a time.",
                "description": "Only held cases marked public are listed. Ordered newest first "
                "(or by `sort`), then by id, so pages are stable.",
                "parameters": case_parameters,
                "responses": {
                    "200": _json("CasePage", "A page of public cases."),
                    "301": OLD_SPELLING,
                    "400": _error("A parameter has a value outside its schema."),
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
                        "schema": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": contract.MAX_ID,
                            "format": "int64",
                        },
                    }
                ],
                "responses": {
                    "200": _json("Case", "The case."),
                    "404": _error("No public case has this id."),
                },
            }
        },
    }


def _stats_paths(stats_params: list) -> dict:
    """The figures, one path per dimension."""
    paths = {}
    for by, (schema, summary) in STATS_DESCRIPTIONS.items():
        paths[f"/stats/{by}/"] = {
            "get": {
                "operationId": "stats" + "".join(p.title() for p in by.split("-")),
                "summary": summary,
                "description": "The same figures, in the same shape, as `manage.py case_stats "
                f"--by {by} --format json`. Only held cases HQ has reviewed count, public or not.",
                "parameters": stats_params,
                "responses": {
                    "200": _json(schema, "The figures."),
                    "301": OLD_SPELLING,
                    "400": _error("A parameter has a value outside its schema."),
                },
            }
        }
    return paths


def _reference_paths() -> dict:
    """The reference lists."""
    paths = {}
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
    return paths


def openapi_document(request) -> dict:
    with translation.override("en"):
        case_parameters = [param.document() for param in contract.case_list_params()]
        stats_params = [param.document() for param in contract.stats_params()]
    paths = {
        **_case_paths(case_parameters),
        **_stats_paths(stats_params),
        **_reference_paths(),
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
