"""The public lists measured as a visitor meets them: uncached, over a spread of filter URLs.

One URL measured again and again flatters: its page and its count stay in PostgreSQL's
buffers, and with the figure cache on it is answered from the cache. Here wrk is given a Lua
script that asks for a different URL on each request, cycling through about fifty: fiscal
years, regions, states, themes, each sort, deep pages and search words, on the case browser
and on the API's case list, with PORTAL_FIGURE_CACHE=0. At the largest size the case list
also takes 64 connections for 30 s, and the plans of its queries are recorded
(`bench.plans`).
"""

import json
import tempfile
from pathlib import Path

from bench import wrk
from bench.database import connect, log, manage

BROWSER = "/en/cases/"
API = "/api/v1/cases/"
SORTS = ("newest", "oldest", "title", "region")
WORDS = ("workshop", "reception", "investment", "seminar", "exchange", "zzzyx")


def _codes(cfg) -> dict:
    """The regions, states, themes and fiscal years the benchmark database holds."""
    with connect(cfg.database_url) as conn:
        read = lambda sql: [row[0] for row in conn.execute(sql).fetchall()]  # noqa: E731
        return {
            "region": read("SELECT code FROM cases_region ORDER BY sort_order, code"),
            "state": read(
                "SELECT DISTINCT s.code FROM cases_state s JOIN cases_casetally t "
                "ON t.state_id = s.id ORDER BY s.code"
            ),
            "theme": read("SELECT slug FROM cases_theme ORDER BY sort_order, slug"),
            "year": read("SELECT DISTINCT fiscal_year FROM cases_casetally ORDER BY 1"),
        }


def queries(codes: dict, count: int = 50) -> list[str]:
    """`count` query strings (without '?') spread over the filters, sorts, pages and words;
    the same ones for the same codes."""
    regions, states = codes["region"] or [""], codes["state"] or [""]
    themes, years = codes["theme"] or [""], codes["year"] or [2024]
    made = ["", "page=500", "sort=title&page=250"]
    for number in range(count - len(made)):
        parts = []
        kind = number % 6
        if kind in (0, 3):
            year = years[number % len(years)]
            parts.append(f"from={year}&to={year}")
        if kind in (0, 1):
            parts.append(f"region={regions[number % len(regions)]}")
        if kind == 2:
            parts.append(f"state={states[(number * 7) % len(states)]}")
        if kind in (3, 4):
            parts.append(f"theme={themes[number % len(themes)]}")
        if kind == 5:
            parts.append(f"q={WORDS[(number // 6) % len(WORDS)]}")
        if kind == 1:
            parts.append(f"region={regions[(number + 3) % len(regions)]}")
        sort = SORTS[(number // 2) % len(SORTS)]
        if sort != "newest":
            parts.append(f"sort={sort}")
        if number % 5 == 4:
            parts.append(f"page={1 + number % 40}")
        made.append("&".join(parts))
    return made


def script(paths: list[str]) -> str:
    """A wrk Lua script that asks for each path in turn (each thread from its own start)."""
    listed = ",\n".join(json.dumps(path) for path in paths)
    return f"""local paths = {{
{listed}
}}
local counter = 0
function init(args)
  counter = math.random(#paths)
end
function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end
"""


def _answering(results, server, paths: list[str], size: int) -> list[str]:
    """The paths that answer 200 themselves (wrk counts a redirect as a success). The API
    answers a page beyond a short list with 404, as it should: such a path is left out."""
    kept = []
    for path in paths:
        status, _, _ = server.get(path, headers=wrk.HEADERS)
        if status == 200:
            kept.append(path)
        elif status == 404 and path.startswith(API) and "page=" in path:
            log(f"  {path}: no such page at {size:,} cases; left out")
        else:
            results.problems.append(f"{path} answered {status} (uncached, {size:,} cases)")
    return kept


def measure(cfg, results, server, size: int, workdir: Path) -> None:
    """The case browser and the API list, uncached, each over the spread of URLs; at the
    largest size the 64-connection burst on the case browser too."""
    spread = queries(_codes(cfg))
    for name, base in (("case browser, varied", BROWSER), ("api list, varied", API)):
        paths = _answering(results, server, [base + (f"?{q}" if q else "") for q in spread], size)
        if not paths:
            continue
        lua = Path(tempfile.mkstemp(suffix=".lua", dir=workdir)[1])
        lua.write_text(script(paths))
        if name.startswith("case browser") and size == max(cfg.sizes):
            burst = wrk.run(
                cfg,
                "list burst",
                server.base_url + BROWSER,
                connections=cfg.burst_connections,
                duration=cfg.burst_duration,
                workers=server.worker_pids,
                master=server.process.pid,
                script=str(lua),
            )
            results.runs[(size, "uncached", "list burst")] = burst
            log(f"  list burst (uncached, {size:,}): {burst.summary()}")
        # One connection per worker: the latency is a request's own, not a queue's.
        run = wrk.run(
            cfg,
            name,
            server.base_url + base,
            connections=cfg.workers,
            workers=server.worker_pids,
            master=server.process.pid,
            script=str(lua),
        )
        results.runs[(size, "uncached", name)] = run
        log(f"  {name} (uncached, {size:,}): {run.summary()}")


def plans(env) -> list[dict]:
    """The case list's query plans on the benchmark database (`bench.plans`)."""
    done = manage(env, "shell", "-c", "from bench.plans import main; main()")
    text = done.stdout
    return json.loads(text[text.index("[") :]) if "[" in text else []
