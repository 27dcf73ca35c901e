"""Plan import: read a CCHC plan (DOCX, XLSX, CSV) and store its areas, tasks and targets.

The CLI (``reportsvc plan import``) and the web upload call the same two steps:

    parsed = analyse_plan(path_or_bytes, filename, registry, settings, year=2024)  # writes nothing
    parsed.summary()  # {"total_rows": …, "areas": [{"code", "title", "rows"}, …], "warnings": […]}
    with transaction(sessions) as session:
        plan = import_plan(session, parsed, unit_code, year, replace, filename, sha256, user)

or ``run_import(sessions, source, filename, unit_code, year, registry, settings, replace, user)``
for both in one transaction. Every refusal is a PlanImportError whose message is Vietnamese.

Modules: safety (size, OLE, zip bomb, XXE checks), readers (blocks and cell grids with merged
cells resolved), layout (header, areas, items), reportsvc.areas.matching (heading -> area plugin), targets
(chỉ tiêu numbers), analyse (all of it -> ParsedPlan), store (database rows).
"""
from reportsvc.importing.analyse import analyse_plan
from reportsvc.importing.errors import PlanImportError
from reportsvc.importing.model import ParsedArea, ParsedItem, ParsedPlan, ParsedTarget
from reportsvc.importing.store import import_plan, run_import

__all__ = ["PlanImportError", "ParsedArea", "ParsedItem", "ParsedPlan", "ParsedTarget", "analyse_plan",
           "import_plan", "run_import"]
