"""Reading and writing data files: the only module that opens them."""

from __future__ import annotations

from jinfeng_grid.io.plan_dir import DIGESTS_KEY, write_plan_outputs
from jinfeng_grid.io.provenance import file_sha256, provenance
from jinfeng_grid.io.read import (
    list_layers,
    read_buildings,
    read_compounds,
    read_facilities,
    read_layer,
    read_lines,
    read_roads,
    sample_path,
)
from jinfeng_grid.io.write import (
    copy_file,
    write_figure,
    write_graph_json,
    write_json,
    write_layers,
    write_pdf_pages,
    write_print_figure,
    write_table,
    write_text,
    write_workbook,
)

__all__ = [
    "DIGESTS_KEY",
    "copy_file",
    "file_sha256",
    "list_layers",
    "provenance",
    "read_buildings",
    "read_compounds",
    "read_facilities",
    "read_layer",
    "read_lines",
    "read_roads",
    "sample_path",
    "write_figure",
    "write_graph_json",
    "write_json",
    "write_layers",
    "write_pdf_pages",
    "write_plan_outputs",
    "write_print_figure",
    "write_table",
    "write_text",
    "write_workbook",
]
